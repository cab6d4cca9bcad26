"""Hidden tests of homework 2 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw02.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises, so that the student's
feedback can say what went wrong without showing this file.
See ``course_tools.grading.spec`` and the README's section for course authors.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- ``test_four_fifths_ratio`` and ``test_fairness_report``: the synthetic case
  (2 to 5 groups with random labels, sizes and rates; every group has the
  people each rate needs, and the four-fifths ratio is never within 1e-6 of
  0.8);
- ``test_proxy_auc``: the synthetic cases (X independent of a, a + noise,
  a rare attribute, 60 noise features) and every ``random_state`` except the
  public checks' 0;
- ``test_blind_model_fpr_gap``: the synthetic train and test frames;
- ``test_unawareness_harm_data``: three sizes from 5,000 to 20,000 (and
  three calls at 5,000) and the seeds of the student's generators.

Their checks compute the reference answers from the calls they receive. Fixed
everywhere: the public checks' cases, the inputs built from the COMPAS data
(the rows, and the train/test splits of part 4), the small hand-written
cases and the one-feature case of ``proxy_auc`` (checked to 1e-6: it tells
the prescribed folds from any other number or kind of folds). No check is
statistical: every one compares with the reference answer on the very inputs,
which is deterministic (``proxy_auc`` gets its folds' ``random_state``), so a
correct answer fails none of them whatever the draw; the known values (an AUC
of about 0.5 or 0.76) only choose the hint.

``test_unawareness_harm_data`` checks a property of the data the student's
function simulates (see :func:`harm_check`), so any construction that meets
it passes; its only randomness is the student's own, and the model answer
clears the 0.10 margin by 0.41 or more on 40 seeds at n = 5,000 (margin mean
0.47, standard deviation 0.026: the margin is 14 standard deviations above
0.10, so the model answer fails a call with probability far below 1e-6).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_lib.datasets import load_compas
from course_tools.grading.inputs import group_confusion
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

BLACK, WHITE = "African-American", "Caucasian"


@functools.cache
def compas() -> pd.DataFrame:
    return load_compas(filter="propublica")


def _number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise Fail(f"{what} must be a number; got {type(value).__name__}") from error
    if not np.isfinite(number):
        raise Fail(f"{what} must be a finite number; got {number}")
    return number


def _rates(y_true, y_pred, groups) -> pd.DataFrame:
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    g = np.asarray(groups)
    rows = {}
    for label in sorted(set(g.tolist())):
        m = g == label
        rows[label] = {
            "selection": p[m].mean(),
            "rejection": (~p[m]).mean(),
            "tpr": (p[m] & y[m]).sum() / y[m].sum(),
            "fpr": (p[m] & ~y[m]).sum() / (~y[m]).sum(),
            "ppv": (p[m] & y[m]).sum() / p[m].sum(),
            "npv": (~p[m] & ~y[m]).sum() / (~p[m]).sum(),
            "fp_over_n": (p[m] & ~y[m]).sum() / m.sum(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _spread(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(values.max() - values.min())


#: Labels of the groups of the random cases.
GROUP_LABELS = ["coastal", "east", "inland", "north", "rural", "south", "urban", "west"]


def group_labels(rng: np.random.Generator) -> list[str]:
    """2 to 5 distinct labels, in random order."""
    k = int(rng.integers(2, 6))
    return [str(label) for label in rng.choice(GROUP_LABELS, k, replace=False)]


def shuffled_lists(rng: np.random.Generator, *columns: list[np.ndarray]) -> tuple:
    """Each column's per-group arrays, concatenated, in one random row order."""
    order = rng.permutation(sum(len(x) for x in columns[0]))
    return tuple(np.concatenate(column)[order].tolist() for column in columns)


# --------------------------------------------------------------------------
# Part 1: four_fifths_ratio
# --------------------------------------------------------------------------


@functools.cache
def fixed_ratio_inputs() -> list[tuple]:
    """The public checks' cases, a ratio of exactly 0.8 and a small case."""
    data = compas()
    return [
        ([1, 1, 0, 0, 1, 0], ["a", "a", "a", "b", "b", "b"]),
        ([1] * 4 + [0] * 6 + [1] * 5 + [0] * 5, ["x"] * 10 + ["y"] * 10),
        # A low-risk label is the favourable decision (29 CFR 1607.16(R)).
        (
            (data["decile_score"] < 5).to_numpy(),
            data["race"].astype(str).to_numpy(),
        ),
        ([0, 1, 1, 1, 0, 1, 1, 0, 1], ["u", "v", "w"] * 3),
    ]


def group_selections(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """0/1 decisions of ``n >= 2`` people: one of each, then 1 with probability ``rate``.

    Every group thus has a positive selection rate and a positive rejection
    rate, so that the ratio and its common mistakes are all defined.
    """
    return np.concatenate([[1, 0], rng.random(n - 2) < rate]).astype(int)


def random_ratio_input(rng: np.random.Generator) -> tuple[list, list]:
    """Decisions and labels of 2 to 5 groups (50 to 249 people each), shuffled.

    The largest group rate is in [0.3, 0.7] and each other one is 0.6 to 1
    times it, so that the rule passes on some draws and fails on others. A
    draw whose ratio is within 1e-6 of 0.8 is drawn again: there a correct
    answer could round either way.
    """
    while True:
        top = rng.uniform(0.3, 0.7)
        ps, gs = [], []
        for label in group_labels(rng):
            n = int(rng.integers(50, 250))
            ps.append(group_selections(rng, n, top * rng.uniform(0.6, 1.0)))
            gs.append(np.full(n, label))
        rates = [p.mean() for p in ps]
        if abs(min(rates) / max(rates) - 0.8) > 1e-6:
            return shuffled_lists(rng, ps, gs)


def ratio_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then one drawn from ``rng`` (fourth, as before)."""
    fixed = fixed_ratio_inputs()
    inputs = [*fixed[:3], random_ratio_input(rng), fixed[3]]
    return [Call("four_fifths_ratio", args) for args in inputs]


def ratio_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        y_pred, groups = call.args
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise Fail("four_fifths_ratio must return a pair (ratio, passes)")
        ratio = _number(value[0], "the ratio")
        passes = value[1]
        if not isinstance(passes, (bool, np.bool_)):
            raise Fail("passes must be True or False")
        sel = pd.Series(np.asarray(y_pred).astype(float)).groupby(np.asarray(groups))
        rates = sel.mean()
        want = rates.min() / rates.max()
        if not np.isclose(ratio, want, rtol=0, atol=1e-9):
            if ratio > 1 and np.isclose(ratio, 1 / want, rtol=1e-9):
                raise Fail(
                    "the ratio is the smallest rate over the largest, not the inverse"
                )
            overall = np.asarray(y_pred, dtype=float).mean()
            if np.isclose(ratio, rates.min() / overall, rtol=1e-9):
                raise Fail(
                    "divide by the largest group's selection rate, not the overall rate"
                )
            rejected = 1 - rates
            if np.isclose(ratio, rejected.min() / rejected.max(), rtol=1e-9):
                raise Fail("the selection rate is the share predicted 1, not 0")
            if np.isclose(ratio, rates.max() - rates.min(), rtol=1e-9):
                raise Fail("the four-fifths rule compares a ratio, not a difference")
            raise Fail("the ratio has the wrong value")
        if bool(passes) != bool(want >= 0.8):
            if np.isclose(want, 0.8, rtol=0, atol=1e-12):
                raise Fail("a ratio of exactly 0.8 passes: the rule is ratio >= 0.8")
            raise Fail("passes must be True exactly when the ratio is at least 0.8")


# --------------------------------------------------------------------------
# Part 2: fairness_report
# --------------------------------------------------------------------------

REPORT_KEYS = [
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "predictive_parity",
]


@functools.cache
def fixed_report_inputs() -> list[tuple]:
    """The public check's case, COMPAS, and a case of equal TPR, unequal FPR."""
    data = compas()
    return [
        (
            [1, 0, 0, 1, 1, 0, 1, 0],
            [1, 1, 0, 1, 0, 0, 1, 1],
            ["a", "a", "a", "a", "b", "b", "b", "b"],
        ),
        # 1 is the advantaged outcome (did not reoffend) and the favourable
        # decision (a low-risk label), as Hardt, Price and Srebro code them.
        (
            1 - data["two_year_recid"].to_numpy(),
            (data["decile_score"] < 5).to_numpy().astype(int),
            data["race"].astype(str).to_numpy(),
        ),
        # Equal TPR, unequal FPR: equalized odds is the FPR gap here.
        (
            np.array([1, 1, 0, 0, 1, 1, 0, 0]),
            np.array([1, 0, 1, 1, 1, 0, 0, 0]),
            np.array(["b", "b", "b", "b", "a", "a", "a", "a"]),
        ),
    ]


def random_report_input(rng: np.random.Generator) -> tuple[list, list, list]:
    """Outcomes, predictions and labels of 2 to 5 groups (80 to 249 people), shuffled.

    Each group has its own base rate, TPR and FPR; see
    :func:`course_tools.grading.inputs.group_confusion`.
    """
    ys, ps, gs = [], [], []
    for label in group_labels(rng):
        n = int(rng.integers(80, 250))
        y, p = group_confusion(
            rng, n, rng.uniform(0.2, 0.6), rng.uniform(0.5, 0.9), rng.uniform(0.1, 0.5)
        )
        ys.append(y)
        ps.append(p)
        gs.append(np.full(n, label))
    return shuffled_lists(rng, ys, ps, gs)


def report_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, with one drawn from ``rng`` third (as before)."""
    fixed = fixed_report_inputs()
    inputs = [*fixed[:2], random_report_input(rng), fixed[2]]
    return [Call("fairness_report", args) for args in inputs]


def report_reference(y_true, y_pred, groups) -> dict[str, float]:
    r = _rates(y_true, y_pred, groups)
    return {
        "demographic_parity": _spread(r["selection"]),
        "equal_opportunity": _spread(r["tpr"]),
        "equalized_odds": max(_spread(r["tpr"]), _spread(r["fpr"])),
        "predictive_parity": _spread(r["ppv"]),
        # Common mistakes, to recognise them.
        "eo_mean": (_spread(r["tpr"]) + _spread(r["fpr"])) / 2,
        "eo_fpr": _spread(r["fpr"]),
        "ppv_npv": _spread(r["npv"]),
        "dp_ratio": float(r["selection"].min() / r["selection"].max()),
        "eop_fpr": _spread(r["fpr"]),
    }


#: Known mistakes of fairness_report: (key, the mistaken quantity, the hint).
REPORT_MISTAKES = [
    (
        "equalized_odds",
        "eo_mean",
        "equalized odds is the larger of the TPR and FPR gaps, not their mean",
    ),
    (
        "equalized_odds",
        "equal_opportunity",
        "equalized odds must also compare false positive rates",
    ),
    (
        "equalized_odds",
        "eo_fpr",
        "equalized odds must also compare true positive rates",
    ),
    (
        "predictive_parity",
        "ppv_npv",
        "predictive parity compares the PPV, among those predicted 1",
    ),
    (
        "demographic_parity",
        "dp_ratio",
        "report the demographic parity difference (largest minus smallest), not a ratio",
    ),
    (
        "equal_opportunity",
        "eop_fpr",
        "equal opportunity compares true positive rates, among people with y_true == 1",
    ),
]


def report_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        _check_report(value, call)


def _check_report(value: object, call: Call) -> None:
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if not isinstance(value, dict):
        raise Fail(
            f"fairness_report must return a dict (or a Series); got {type(value).__name__}"
        )
    missing = [k for k in REPORT_KEYS if k not in value]
    if missing:
        raise Fail(f"the result needs the keys {REPORT_KEYS}; missing {missing}")
    want = report_reference(*call.args)
    for key in REPORT_KEYS:
        got = _number(value[key], f"the value of {key!r}")
        if not np.isclose(got, want[key], rtol=0, atol=1e-9):
            raise Fail(_report_hint(key, got, want))


def _report_hint(key: str, got: float, want: dict) -> str:
    """The hint for a wrong value of ``key``: a known mistake's, or a generic one."""
    for mistaken_key, mistake, hint in REPORT_MISTAKES:
        if key == mistaken_key and np.isclose(got, want[mistake], atol=1e-9):
            return hint
    if got < 0:
        return "each gap is the largest minus the smallest rate: never negative"
    return f"the value of {key!r} is wrong"


# --------------------------------------------------------------------------
# Part 3: proxy_auc
# --------------------------------------------------------------------------

SIGNAL_AUC = 0.7602  # Phi(1 / sqrt(2)): a + N(0, 1) separates the two groups
COMPAS_FEATURES = [
    "age",
    "priors_count",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
]
#: The cases of proxy_auc, in the order of the calls.
PROXY_CASES = [
    "public_none",
    "public_strong",
    "independent",
    "signal",
    "signal_again",
    "rare_group",
    "many_noise_features",
    "compas",
    "one_feature",
    "small_scale",
]
#: Largest distance from the reference AUC on the same inputs and folds.
PROXY_TOL = 0.02
#: The same on the one-feature case, where every correct fit ranks alike.
EXACT_TOL = 1e-6


@functools.cache
def public_proxy_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The public checks' a, noise and signal, exactly as the notebook builds them."""
    public = np.random.default_rng(0)
    a = public.integers(0, 2, 1000)
    noise = public.normal(size=(1000, 2))
    return a, noise, np.column_stack([a + noise[:, 0], noise[:, 1]])


@functools.cache
def compas_proxy_inputs() -> tuple[pd.DataFrame, np.ndarray]:
    """The COMPAS features and Black (1) or White (0) of those two groups."""
    data = compas()
    two = data[data["race"].isin([BLACK, WHITE])]
    return (
        two[COMPAS_FEATURES].reset_index(drop=True),
        (two["race"] == BLACK).to_numpy().astype(int),
    )


@functools.cache
def one_feature_input() -> tuple[np.ndarray, np.ndarray, int]:
    """40 rows, one feature a + N(0, 1), and a fixed ``random_state``.

    With one feature, the logistic regression of each fold ranks the held-out
    rows by that feature (its coefficient is positive on every fold here, with
    or without standardising, whatever the solver), so a correct answer's AUC
    depends on nothing but the folds and matches the reference to rounding.
    The folds are small, so any other split moves the mean AUC a lot: on this
    case 2, 3, 4, 6, 7, 8 or 10 stratified folds, unshuffled folds, folds of
    the next ``random_state`` and shuffled unstratified folds all land at least
    0.025 away from the 0.8 of the prescribed ones (checked when this case was
    chosen, among 200 draws, as the one farthest from all of them).
    """
    fixed = np.random.default_rng(104)
    a = fixed.permutation(np.repeat([1, 0], [20, 20]))
    x = (a + fixed.normal(size=40)).reshape(-1, 1)
    return x, a, int(fixed.integers(2**31))


def attribute(rng: np.random.Generator, n: int, ones: int) -> np.ndarray:
    """A 0/1 attribute of ``n`` rows with exactly ``ones`` ones, in random order.

    With at least 5 rows of each class, as the callers ask, every one of the 5
    stratified folds holds both classes, so that every AUC is defined.
    """
    return rng.permutation(np.repeat([1, 0], [ones, n - ones]))


def fold_seed(rng: np.random.Generator) -> int:
    """A seed for the student's fold shuffling."""
    return int(rng.integers(2**32))


def proxy_calls(rng: np.random.Generator) -> list[Call]:
    """One call per case of :data:`PROXY_CASES`.

    The public cases keep the notebook's inputs and ``random_state=0``. The
    others are drawn: ``a`` has 900 to 1100 ones in 2000 rows, the rare
    attribute 160 to 240 (8 to 12 %), the 200 rows of the 60 noise features 80
    to 120; ``signal_again`` repeats ``signal`` with the same ``random_state``.
    ``one_feature`` is fixed (:func:`one_feature_input`). ``small_scale`` is
    ``signal`` with its informative column shrunk 1000 times (fresh noise):
    standardised features give the same AUC as ``signal``, about 0.76, but an
    unstandardised regularised fit all but ignores that column (about 0.5).
    """
    n = 2000
    public_a, public_noise, public_signal = public_proxy_inputs()
    a = attribute(rng, n, int(rng.integers(900, 1101)))
    signal = np.column_stack([a + rng.normal(size=n), rng.normal(size=n)])
    signal_state = fold_seed(rng)
    rare = attribute(rng, n, int(rng.integers(160, 241)))
    small = attribute(rng, 200, int(rng.integers(80, 121)))
    cases = {
        "public_none": (public_noise, public_a, 0),
        "public_strong": (public_signal, public_a, 0),
        "independent": (rng.normal(size=(n, 3)), a, fold_seed(rng)),
        "signal": (signal, a, signal_state),
        "signal_again": (signal.copy(), a.copy(), signal_state),
        "rare_group": (
            pd.DataFrame({"x": 0.5 * rare + rng.normal(size=n)}),
            rare,
            fold_seed(rng),
        ),
        "many_noise_features": (
            rng.normal(size=(200, 60)),
            small,
            fold_seed(rng),
        ),
        "compas": (*compas_proxy_inputs(), fold_seed(rng)),
        "one_feature": one_feature_input(),
        "small_scale": (
            np.column_stack([1e-3 * (a + rng.normal(size=n)), rng.normal(size=n)]),
            a,
            fold_seed(rng),
        ),
    }
    return [Call("proxy_auc", cases[name]) for name in PROXY_CASES]


def proxy_reference(X, a, random_state) -> float:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=random_state)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return float(cross_val_score(model, X, a, cv=folds, scoring="roc_auc").mean())


def proxy_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """Every AUC within :data:`PROXY_TOL` of the reference on the same inputs.

    The reference uses the folds the task prescribes, so a correct answer
    matches it up to rounding whatever the draw. The hints recognise the
    common mistakes by how far they land from the reference, and where.
    """
    got = {
        name: _number(value, "proxy_auc")
        for name, value in zip(PROXY_CASES, returned_values(outcomes), strict=True)
    }
    for value in got.values():
        if not 0 <= value <= 1:
            raise Fail(f"an AUC lies between 0 and 1; got {value}")
    args = {name: call.args for name, call in zip(PROXY_CASES, calls, strict=True)}
    want = {name: proxy_reference(*args[name]) for name in PROXY_CASES}
    tol = {
        name: EXACT_TOL if name == "one_feature" else PROXY_TOL for name in PROXY_CASES
    }
    off = {name: abs(got[name] - want[name]) > tol[name] for name in PROXY_CASES}
    public_fails = (
        abs(got["public_none"] - 0.5) >= 0.08
        or abs(got["public_strong"] - 0.76) >= 0.04
    )
    if (
        not any(off.values())
        and not public_fails
        and got["signal"] == got["signal_again"]
    ):
        return
    majority = 1 - float(np.mean(args["rare_group"][1]))
    raise Fail(_proxy_hint(got, want, off, public_fails, majority))


def _proxy_hint(
    got: dict, want: dict, off: dict, public_fails: bool, majority: float
) -> str:
    """The first known mistake the AUCs show, in order of how telling it is."""
    rules = [
        (
            abs(got["signal"] - (1 - want["signal"])) <= PROXY_TOL,
            "the AUC comes out below 0.5 where the features predict the attribute "
            "well: score each row by the predicted probability of the class a == 1",
        ),
        (
            got["many_noise_features"] > want["many_noise_features"] + 0.1,
            "with 60 pure-noise features and 200 rows your AUC is far above 0.5: "
            "it must be measured on held-out folds (cross-validation), not on the rows "
            "the model was fitted to",
        ),
        (
            off["rare_group"] and abs(got["rare_group"] - majority) < 0.03,
            "return the ROC AUC, not the accuracy",
        ),
        (
            0.5 < got["signal"] < want["signal"] - PROXY_TOL,
            "the AUC is too low where the answer is known: score each row by the "
            "predicted probability (predict_proba), not by the 0/1 prediction",
        ),
        (public_fails, "your function fails the public checks of this part"),
        (
            got["signal"] != got["signal_again"],
            "two calls with the same inputs and random_state must give the same AUC: "
            "pass random_state to the fold shuffling",
        ),
        (
            off["signal"] and abs(got["signal"] - SIGNAL_AUC) > 0.05,
            f"when X = a plus standard normal noise, the AUC must be about {SIGNAL_AUC:.2f}",
        ),
        (
            off["independent"] and abs(got["independent"] - 0.5) > 0.1,
            "when X is independent of a, the AUC must be about 0.5",
        ),
        (
            off["rare_group"] and abs(got["rare_group"] - want["rare_group"]) > 0.05,
            "the AUC is wrong on an attribute that only about 10% of rows have",
        ),
        (
            off["small_scale"],
            "where one feature is on a much smaller scale than another your AUC is "
            "off: standardise the features before the logistic regression, inside "
            "each fold",
        ),
        # No reference value in the hint: on fixed inputs it would be an answer.
        (
            off["compas"],
            "on the COMPAS features your AUC is not the cross-validated one: split "
            "the rows as the task says and score the held-out folds",
        ),
    ]
    return next(
        (hint for hit, hint in rules if hit),
        "some AUCs are near ours but not equal: split the rows exactly as the task "
        "says, StratifiedKFold(n_splits=5, shuffle=True, random_state=random_state)",
    )


# --------------------------------------------------------------------------
# Part 4: blind_model_fpr_gap
# --------------------------------------------------------------------------

CHAPTER_FEATURES = [
    "age",
    "priors_count",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "sex",
    "c_charge_degree",
]
OUTCOME = "two_year_recid"


def _synthetic(n: int, shift: float, rng: np.random.Generator) -> pd.DataFrame:
    """Race has a direct effect on the outcome; x does not depend on race."""
    race = rng.choice([BLACK, WHITE, "Hispanic"], n, p=[0.45, 0.35, 0.2])
    x = rng.normal(shift, 1, n)
    z = rng.choice(["u", "v"], n)
    logit = 1.5 * x + 1.5 * (race == BLACK) - 1.0 * (race == "Hispanic") - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x": x, "z": z, "race": race, OUTCOME: y})


def _every_cell(frame: pd.DataFrame, least: int) -> bool:
    """Whether Black and White each have ``least`` rows with each outcome."""
    cells = frame.groupby(["race", OUTCOME]).size()
    return all(
        cells.get((race, y), 0) >= least for race in (BLACK, WHITE) for y in (0, 1)
    )


def synthetic_split(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A train frame of 3,000 rows and a test frame of 2,000, x shifted by 0.8.

    A draw where Black or White lacks 30 rows with either outcome in either
    frame is drawn again, so that every rate of the reference and of its
    common mistakes (train FPR, FNR) is defined and not tiny-sample noise.
    """
    while True:
        train, test = _synthetic(3000, 0.0, rng), _synthetic(2000, 0.8, rng)
        if _every_cell(train, 30) and _every_cell(test, 30):
            return train, test


@functools.cache
def compas_splits() -> list[tuple]:
    """The public check's split of chapter 2, and another with two features."""
    data = compas()
    first = train_test_split(
        data, test_size=0.3, stratify=data[OUTCOME], random_state=0
    )
    second = train_test_split(data, test_size=0.5, random_state=1)
    return [(*first, CHAPTER_FEATURES), (*second, ["age", "priors_count"])]


def gap_calls(rng: np.random.Generator) -> list[Call]:
    """The COMPAS splits, then a synthetic split drawn from ``rng``."""
    inputs = [*compas_splits(), (*synthetic_split(rng), ["x", "z"])]
    return [Call("blind_model_fpr_gap", args) for args in inputs]


def _fit_predict(train, test, features):
    encoded = pd.get_dummies(
        pd.concat([train[features], test[features]]), drop_first=True, dtype=float
    )
    X_train, X_test = encoded.iloc[: len(train)], encoded.iloc[len(train) :]
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(X_train, train[OUTCOME])
    return model.predict_proba(X_train)[:, 1], model.predict_proba(X_test)[:, 1]


def gap_reference(train, test, features) -> dict[str, float]:
    def rates(frame, proba):
        y = frame[OUTCOME].to_numpy() == 1
        p = proba >= 0.5
        race = frame["race"].astype(str).to_numpy()
        out = {}
        for name, m in (("black", race == BLACK), ("white", race == WHITE)):
            out[name] = {
                "fpr": (p & ~y)[m].sum() / (~y)[m].sum(),
                "fnr": (~p & y)[m].sum() / y[m].sum(),
                "fp_over_n": (p & ~y)[m].sum() / m.sum(),
            }
        return {k: out["black"][k] - out["white"][k] for k in out["black"]}

    proba_train, proba_test = _fit_predict(train, test, features)
    test_rates = rates(test, proba_test)
    aware = [*features, "race"]
    _, proba_aware = _fit_predict(train, test, aware)
    return {
        "gap": test_rates["fpr"],
        "fnr": test_rates["fnr"],
        "fp_over_n": test_rates["fp_over_n"],
        "on_train": rates(train, proba_train)["fpr"],
        "with_race": rates(test, proba_aware)["fpr"],
    }


def gap_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    tol = 0.02
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        got = _number(value, "blind_model_fpr_gap")
        want = gap_reference(*call.args)
        if abs(got - want["gap"]) <= tol:
            continue
        if abs(got + want["gap"]) <= tol:
            raise Fail("the gap is Black minus White; yours has the opposite sign")
        if abs(got - want["with_race"]) <= tol:
            raise Fail("the model must not use race: fit it on the given features only")
        if abs(got - want["on_train"]) <= tol:
            raise Fail(
                "measure the false positive rates on the test set, not the training set"
            )
        if abs(got - want["fp_over_n"]) <= tol:
            raise Fail(
                "the FPR divides false positives by the people with no reoffence in the "
                "group, not by the whole group"
            )
        if abs(got - want["fnr"]) <= tol:
            raise Fail("that is the gap in false negative rates; the task asks for FPR")
        # No reference value in the hint: on fixed inputs it would be an answer.
        raise Fail(
            "the FPR gap is wrong on one of our inputs: fit on the training frame "
            "without the race column, then compare FPRs on the test frame"
        )


# --------------------------------------------------------------------------
# Part 5: unawareness_harm_data
# --------------------------------------------------------------------------

#: The blind model's |FPR gap| must exceed the aware model's by this much.
HARM_MARGIN = 0.10


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(2**63))


def harm_calls(rng: np.random.Generator) -> list[Call]:
    """The public case twice (same seed), six sizes with random seeds, and
    the public size with another seed (which must give other data)."""
    # Three random sizes, and three more at the smallest size, where the gaps
    # vary most: a construction that only meets the margin on average fails.
    sizes = [*rng.integers(5000, 20_001, size=3), 5000, 5000, 5000]
    return [
        Call("unawareness_harm_data", (5000, np.random.default_rng(0))),
        Call("unawareness_harm_data", (5000, np.random.default_rng(0))),
        *(
            Call("unawareness_harm_data", (int(n), np.random.default_rng(_seed(rng))))
            for n in sizes
        ),
        Call("unawareness_harm_data", (5000, np.random.default_rng(_seed(rng) + 1))),
    ]


def harm_gaps(df: pd.DataFrame) -> dict[str, float]:
    """The notebook's ``fpr_gaps``: FPR of B minus A for the blind and aware models."""
    train, test = train_test_split(df, test_size=0.5, stratify=df["y"], random_state=0)
    gaps = {}
    for name, columns in [("blind", ["x"]), ("aware", ["x", "is_b"])]:
        x_train = train[["x"]].assign(is_b=(train["group"] == "B").astype(float))
        x_test = test[["x"]].assign(is_b=(test["group"] == "B").astype(float))
        model = make_pipeline(StandardScaler(), LogisticRegression())
        model.fit(x_train[columns], train["y"])
        flagged = model.predict_proba(x_test[columns])[:, 1] >= 0.5
        negative = test["y"].to_numpy() == 0
        is_b = test["group"].to_numpy() == "B"
        gaps[name] = float(
            flagged[negative & is_b].mean() - flagged[negative & ~is_b].mean()
        )
    return gaps


def _harm_frame(value, n: int) -> pd.DataFrame:
    """The student's frame, with x as floats, group as str and y as ints."""
    frame = _harm_valid(value, n)
    return pd.DataFrame(
        {
            "x": frame["x"].to_numpy(dtype=float),
            "group": frame["group"].astype(str).to_numpy(),
            "y": frame["y"].to_numpy(dtype=float).astype(int),
        }
    )


def _harm_valid(value, n: int) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise Fail(
            f"unawareness_harm_data must return a DataFrame; got {type(value).__name__}"
        )
    if not {"x", "group", "y"} <= set(value.columns):
        raise Fail("the DataFrame needs the columns x, group and y")
    if len(value) != n:
        raise Fail(f"return n rows: asked for {n:,}, got {len(value):,}")
    try:
        x = value["x"].to_numpy(dtype=float)
        y = value["y"].to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail("x and y must hold numbers") from error
    if not np.isfinite(x).all():
        raise Fail("x must hold finite numbers")
    if not np.isin(y, [0, 1]).all():
        raise Fail("y must be 0 or 1")
    group = value["group"].astype(str)
    if not set(group) <= {"A", "B"}:
        raise Fail('group must be "A" or "B"')
    share = group.eq("B").mean()
    if not 0.25 <= share <= 0.75:
        raise Fail(f"each group must be at least 25% of the rows; B is {share:.1%}")
    for label in ("A", "B"):
        base = y[(group == label).to_numpy()].mean()
        if not 0.2 <= base <= 0.8:
            raise Fail(
                f"each group's base rate must be between 0.2 and 0.8; {label}'s is {base:.3f}"
            )
    return value


def harm_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """Every frame is valid and the blind model's gap is worse by HARM_MARGIN.

    Also: the two calls with the same seed give the same data (the function
    uses only ``rng``), and the call with another seed gives other data (it
    uses ``rng`` at all). Deterministic given the frames: the models are fitted
    here, with a fixed split.
    """
    values = returned_values(outcomes)
    frames = [_harm_frame(v, c.args[0]) for v, c in zip(values, calls, strict=True)]
    if not frames[0].equals(frames[1]):
        raise Fail(
            "two generators with the same seed must give the same data: draw every random number from rng"
        )
    if frames[0].equals(frames[-1]):
        raise Fail(
            "generators with different seeds gave the same data: draw the random numbers from rng"
        )
    for frame in frames[1:]:
        gaps = harm_gaps(frame)
        if abs(gaps["blind"]) < abs(gaps["aware"]) + HARM_MARGIN:
            raise Fail(
                f"with n = {len(frame):,}, the blind model's FPR gap is {gaps['blind']:.3f} and the "
                f"aware model's {gaps['aware']:.3f}: the blind one must be larger, in absolute "
                f"value, by at least {HARM_MARGIN}"
            )


TESTS = {
    "test_four_fifths_ratio": Test(ratio_calls, ratio_check),
    "test_fairness_report": Test(report_calls, report_check),
    "test_proxy_auc": Test(proxy_calls, proxy_check),
    "test_blind_model_fpr_gap": Test(gap_calls, gap_check),
    "test_unawareness_harm_data": Test(harm_calls, harm_check),
}
