"""Hidden tests of homework 2 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw02.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises, so that the student's
feedback can say what went wrong without showing this file.
See ``course_lib.grading.spec`` and the README's section for course authors.

No part is randomised in a way the grader cannot fix: the proxy AUC is
deterministic given ``random_state``, and its checks on inputs with a known
answer use tolerances of several standard deviations of the cross-validated
estimate (n = 2,000), so that any correct fold scheme passes.
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
from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values

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


# --------------------------------------------------------------------------
# Part 1: four_fifths_ratio
# --------------------------------------------------------------------------


@functools.cache
def ratio_inputs() -> list[tuple]:
    data = compas()
    rng = np.random.default_rng(20261121)
    g = rng.choice(["p", "q", "r"], 600)
    p = rng.random(600) < np.select([g == "p", g == "q"], [0.3, 0.5], 0.45)
    return [
        ([1, 1, 0, 0, 1, 0], ["a", "a", "a", "b", "b", "b"]),
        ([1] * 4 + [0] * 6 + [1] * 5 + [0] * 5, ["x"] * 10 + ["y"] * 10),
        (
            (data["decile_score"] >= 5).to_numpy(),
            data["race"].astype(str).to_numpy(),
        ),
        (list(p.astype(int)), list(g)),
        ([0, 1, 1, 1, 0, 1, 1, 0, 1], ["u", "v", "w"] * 3),
    ]


def ratio_calls() -> list[Call]:
    return [Call("four_fifths_ratio", args) for args in ratio_inputs()]


def ratio_check(outcomes: list[Outcome]) -> None:
    for value, (y_pred, groups) in zip(
        returned_values(outcomes), ratio_inputs(), strict=True
    ):
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
def report_inputs() -> list[tuple]:
    data = compas()
    rng = np.random.default_rng(5)
    g = rng.choice(["p", "q", "r", "s"], 800)
    y = rng.random(800) < np.select(
        [g == "p", g == "q", g == "r"], [0.2, 0.5, 0.35], 0.6
    )
    flip = rng.random(800) < np.select([g == "p", g == "q"], [0.1, 0.35], 0.2)
    p = y ^ flip
    return [
        (
            [1, 0, 0, 1, 1, 0, 1, 0],
            [1, 1, 0, 1, 0, 0, 1, 1],
            ["a", "a", "a", "a", "b", "b", "b", "b"],
        ),
        (
            data["two_year_recid"].to_numpy(),
            (data["decile_score"] >= 5).to_numpy().astype(int),
            data["race"].astype(str).to_numpy(),
        ),
        (list(y.astype(int)), list(p.astype(int)), list(g)),
        # Equal TPR, unequal FPR: equalized odds is the FPR gap here.
        (
            np.array([1, 1, 0, 0, 1, 1, 0, 0]),
            np.array([1, 0, 1, 1, 1, 0, 0, 0]),
            np.array(["b", "b", "b", "b", "a", "a", "a", "a"]),
        ),
    ]


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


def report_calls() -> list[Call]:
    return [Call("fairness_report", args) for args in report_inputs()]


def report_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(returned_values(outcomes), report_inputs(), strict=True):
        if isinstance(value, pd.Series):
            value = value.to_dict()
        if not isinstance(value, dict):
            raise Fail(
                f"fairness_report must return a dict (or a Series); got {type(value).__name__}"
            )
        missing = [k for k in REPORT_KEYS if k not in value]
        if missing:
            raise Fail(f"the result needs the keys {REPORT_KEYS}; missing {missing}")
        want = report_reference(*args)
        for key in REPORT_KEYS:
            got = _number(value[key], f"the value of {key!r}")
            if np.isclose(got, want[key], rtol=0, atol=1e-9):
                continue
            if key == "equalized_odds" and np.isclose(got, want["eo_mean"], atol=1e-9):
                raise Fail(
                    "equalized odds is the larger of the TPR and FPR gaps, not their mean"
                )
            if key == "equalized_odds" and np.isclose(
                got, want["equal_opportunity"], atol=1e-9
            ):
                raise Fail("equalized odds must also compare false positive rates")
            if key == "equalized_odds" and np.isclose(got, want["eo_fpr"], atol=1e-9):
                raise Fail("equalized odds must also compare true positive rates")
            if key == "predictive_parity" and np.isclose(
                got, want["ppv_npv"], atol=1e-9
            ):
                raise Fail(
                    "predictive parity compares the PPV, among those predicted 1"
                )
            if key == "demographic_parity" and np.isclose(
                got, want["dp_ratio"], atol=1e-9
            ):
                raise Fail(
                    "report the demographic parity difference (largest minus smallest), not a ratio"
                )
            if key == "equal_opportunity" and np.isclose(
                got, want["eop_fpr"], atol=1e-9
            ):
                raise Fail(
                    "equal opportunity compares true positive rates, among people with y_true == 1"
                )
            if got < 0:
                raise Fail(
                    "each gap is the largest minus the smallest rate: never negative"
                )
            raise Fail(f"the value of {key!r} is wrong")


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


@functools.cache
def proxy_inputs() -> dict[str, tuple]:
    rng = np.random.default_rng(314)
    n = 2000
    a = rng.integers(0, 2, n)
    weak = (rng.random(n) < 0.1).astype(int)
    small = rng.integers(0, 2, 200)
    signal = np.column_stack([a + rng.normal(size=n), rng.normal(size=n)])
    data = compas()
    two = data[data["race"].isin([BLACK, WHITE])]
    # The public checks' inputs, exactly as the notebook builds them.
    public = np.random.default_rng(0)
    public_a = public.integers(0, 2, 1000)
    public_noise = public.normal(size=(1000, 2))
    public_signal = np.column_stack([public_a + public_noise[:, 0], public_noise[:, 1]])
    return {
        "public_none": (public_noise, public_a, 0),
        "public_strong": (public_signal, public_a, 0),
        "independent": (rng.normal(size=(n, 3)), a, 0),
        "signal": (signal, a, 0),
        "signal_again": (signal.copy(), a.copy(), 0),
        "rare_group": (
            pd.DataFrame({"x": 0.5 * weak + rng.normal(size=n)}),
            weak,
            1,
        ),
        "many_noise_features": (rng.normal(size=(200, 60)), small, 2),
        "compas": (
            two[COMPAS_FEATURES].reset_index(drop=True),
            (two["race"] == BLACK).to_numpy().astype(int),
            0,
        ),
    }


def proxy_reference(X, a, random_state) -> float:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=random_state)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return float(cross_val_score(model, X, a, cv=folds, scoring="roc_auc").mean())


def proxy_calls() -> list[Call]:
    return [Call("proxy_auc", args) for args in proxy_inputs().values()]


def proxy_check(outcomes: list[Outcome]) -> None:
    got = {
        name: _number(value, "proxy_auc")
        for name, value in zip(proxy_inputs(), returned_values(outcomes), strict=True)
    }
    for value in got.values():
        if not 0 <= value <= 1:
            raise Fail(f"an AUC lies between 0 and 1; got {value}")
    if got["signal"] < 0.5 - 0.2 and abs(1 - got["signal"] - SIGNAL_AUC) < 0.03:
        raise Fail(
            "the AUC comes out below 0.5 where the features predict the attribute well: "
            "score each row by the predicted probability of the class a == 1"
        )
    if got["many_noise_features"] > 0.62:
        raise Fail(
            "with 60 pure-noise features and 200 rows your AUC is far above 0.5: "
            "it must be measured on held-out folds (cross-validation), not on the rows "
            "the model was fitted to"
        )
    rare = proxy_reference(*proxy_inputs()["rare_group"])
    if abs(got["rare_group"] - 0.9) < 0.03 and abs(got["rare_group"] - rare) > 0.02:
        raise Fail("return the ROC AUC, not the accuracy")
    if got["signal"] < SIGNAL_AUC - 0.03 and got["signal"] > 0.5:
        raise Fail(
            "the AUC is too low where the answer is known: score each row by the "
            "predicted probability (predict_proba), not by the 0/1 prediction"
        )
    if (
        abs(got["public_none"] - 0.5) >= 0.08
        or abs(got["public_strong"] - 0.76) >= 0.04
    ):
        raise Fail("your function fails the public checks of this part")
    if abs(got["signal"] - SIGNAL_AUC) > 0.03:
        raise Fail("when X = a plus standard normal noise, the AUC must be about 0.76")
    if abs(got["rare_group"] - rare) > 0.02:
        raise Fail("the AUC is wrong on an attribute that only 10% of rows have")
    if abs(got["independent"] - 0.5) > 0.05:
        raise Fail("when X is independent of a, the AUC must be about 0.5")
    if got["signal"] != got["signal_again"]:
        raise Fail(
            "two calls with the same inputs and random_state must give the same AUC: "
            "pass random_state to the fold shuffling"
        )
    want = proxy_reference(*proxy_inputs()["compas"])
    if abs(got["compas"] - want) > 0.02:
        raise Fail(
            f"on the COMPAS features the AUC must be close to {want:.3f}; got "
            f"{got['compas']:.3f}"
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


@functools.cache
def gap_inputs() -> list[tuple]:
    data = compas()
    first = train_test_split(
        data, test_size=0.3, stratify=data[OUTCOME], random_state=0
    )
    second = train_test_split(data, test_size=0.5, random_state=1)
    rng = np.random.default_rng(99)
    return [
        (*first, CHAPTER_FEATURES),
        (*second, ["age", "priors_count"]),
        (_synthetic(3000, 0.0, rng), _synthetic(2000, 0.8, rng), ["x", "z"]),
    ]


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


def gap_calls() -> list[Call]:
    return [Call("blind_model_fpr_gap", args) for args in gap_inputs()]


def gap_check(outcomes: list[Outcome]) -> None:
    tol = 0.02
    for value, args in zip(returned_values(outcomes), gap_inputs(), strict=True):
        got = _number(value, "blind_model_fpr_gap")
        want = gap_reference(*args)
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
        raise Fail(
            f"the FPR gap must be close to {want['gap']:.3f} on one of our inputs; got {got:.3f}"
        )


TESTS = {
    "test_four_fifths_ratio": Test(ratio_calls, ratio_check),
    "test_fairness_report": Test(report_calls, report_check),
    "test_proxy_auc": Test(proxy_calls, proxy_check),
    "test_blind_model_fpr_gap": Test(gap_calls, gap_check),
}
