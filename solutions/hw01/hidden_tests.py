"""Hidden tests of homework 1 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw01.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises, so that the student's
feedback can say what went wrong without showing this file.
See ``course_tools.grading.spec`` and the README's section for course authors.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- ``test_confusion_rates``: the synthetic case (2 to 5 groups with random
  labels, sizes and error rates, every cell of every group's confusion matrix
  non-empty);
- ``test_chouldechova_fpr``: the arrays and Series of base rates, PPVs and
  FNRs (random length, values in [0.05, 0.95]);
- ``test_calibration_intervals``: scores, outcomes and groups of 2 to 4
  groups (some score and group pairs empty, some with every outcome 0 or 1,
  some of one person), as Series with three different shuffled indexes
  (entries match by position, as the notebook says), and a random level in
  [0.5, 0.999].

Their checks compute the reference answers from the calls they receive. Fixed
everywhere: the public checks' cases, the inputs built from the COMPAS data
(also as Series that keep the index of a subset of rows, which a groupby
aligns on) and the small hand-written cases; ``test_propublica_filter`` and
``test_calibration_table`` have no other inputs, so they are not randomised.
All checks compare with exact answers (to 1e-9): none is statistical, so the
false-failure rate is zero.
"""

from __future__ import annotations

import functools
from statistics import NormalDist

import numpy as np
import pandas as pd

from course_lib.datasets import load_compas
from course_tools.grading.inputs import group_confusion
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

# --------------------------------------------------------------------------
# Inputs, built once per grading run
# --------------------------------------------------------------------------


@functools.cache
def compas_raw() -> pd.DataFrame:
    return load_compas(filter=None)


@functools.cache
def compas() -> pd.DataFrame:
    return load_compas(filter="propublica")


@functools.cache
def edge_cases() -> pd.DataFrame:
    """One row per rule of the filter; the comment says whether it is kept."""
    return pd.DataFrame(
        {
            "id": list(range(12)),
            "days_b_screening_arrest": [
                -30,
                30,
                -31,
                31,
                np.nan,
                0,
                0,
                0,
                0,
                5,
                -5,
                29.5,
            ],
            "is_recid": [0, 1, 0, 0, 0, -1, 0, 0, 0, 1, 0, 0],
            "c_charge_degree": [
                "F",
                "M",
                "F",
                "F",
                "F",
                "F",
                "O",
                "F",
                "F",
                "M",
                "F",
                "F",
            ],
            "score_text": [
                "Low",
                "High",
                "Low",
                "Low",
                "Low",
                "Low",
                "Low",
                "N/A",
                "Medium",
                "Low",
                "High",
                "Low",
            ],
        }
    )


EDGE_KEPT = [0, 1, 8, 9, 10, 11]
EDGE_HINTS = {
    0: "a screening exactly 30 days before the arrest is inside the window (inclusive)",
    1: "a screening exactly 30 days after the arrest is inside the window (inclusive)",
    2: "a screening 31 days before the arrest is outside the window",
    3: "a screening 31 days after the arrest is outside the window",
    4: "a missing days_b_screening_arrest fails the first condition",
    5: "is_recid == -1 (no outcome found) must be dropped",
    6: 'c_charge_degree == "O" (ordinary traffic offence) must be dropped',
    7: 'score_text == "N/A" must be dropped',
}


def _frame(value, what: str) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise Fail(f"{what} must return a pandas DataFrame; got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------
# Part 1: propublica_filter
# --------------------------------------------------------------------------


def filter_calls() -> list[Call]:
    return [
        Call("propublica_filter", (compas_raw(),)),
        Call("propublica_filter", (edge_cases(),), observe_args=True),
    ]


def filter_check(outcomes: list[Outcome]) -> None:
    full, edge = returned_values(outcomes)
    full = _frame(full, "propublica_filter")
    edge = _frame(edge, "propublica_filter")
    raw = compas_raw()
    if list(full.columns) != list(raw.columns):
        raise Fail("keep all of df's columns, in their order")
    if "id" not in edge.columns:
        raise Fail("keep all of df's columns, in their order")
    kept = sorted(int(i) for i in edge["id"])
    for row, hint in EDGE_HINTS.items():
        if (row in kept) != (row in EDGE_KEPT):
            raise Fail(f"Check the rules: {hint}.")
    if kept != EDGE_KEPT:
        raise Fail("some rows that pass every condition were dropped, or kept twice")
    (after,) = outcomes[1].args
    if len(after) != len(edge_cases()) or list(after["id"]) != list(range(12)):
        raise Fail(
            "propublica_filter must not modify df: select rows, do not drop them in place"
        )
    days = raw["days_b_screening_arrest"]
    mask = (
        (days >= -30)
        & (days <= 30)
        & (raw["is_recid"] != -1)
        & (raw["c_charge_degree"].astype(str) != "O")
        & (raw["score_text"].astype(str) != "N/A")
    )
    if sorted(full["id"].tolist()) != sorted(raw.loc[mask, "id"].tolist()):
        raise Fail(
            f"on the COMPAS data the filter must keep 6,172 rows; got {len(full):,}"
        )


# --------------------------------------------------------------------------
# Part 2: confusion_rates
# --------------------------------------------------------------------------

RATE_COLUMNS = ["count", "base_rate", "fpr", "fnr", "ppv"]
#: Labels of the groups of the random case.
GROUP_LABELS = ["coastal", "east", "inland", "north", "rural", "south", "urban", "west"]


@functools.cache
def fixed_rate_inputs() -> list[tuple]:
    """The public check's case and the COMPAS cases."""
    data = compas()
    return [
        ([1, 0, 0, 1, 0, 1], [1, 1, 0, 0, 0, 1], ["a", "a", "a", "b", "b", "b"]),
        (data["two_year_recid"], data["decile_score"] >= 5, data["race"].astype(str)),
        (
            data["two_year_recid"].to_numpy(),
            (data["decile_score"] >= 7).to_numpy().astype(int),
            data["sex"].astype(str).to_numpy(),
        ),
        subset_series_input(),
    ]


@functools.cache
def subset_series_input() -> tuple[pd.Series, pd.Series, pd.Series]:
    """Black and White defendants as Series that keep the full data's index.

    The index has gaps (the other races' rows), so an answer that puts one
    input in a new frame and groups it by another Series (which pandas aligns
    on the index) mixes up rows.
    """
    data = compas()
    rows = data[data["race"].isin(["African-American", "Caucasian"])]
    return (
        rows["two_year_recid"],
        (rows["decile_score"] >= 5).astype(int),
        rows["race"].astype(str),
    )


def random_rate_input(rng: np.random.Generator) -> tuple[list, list, list]:
    """Lists of outcomes, predictions and labels of 2 to 5 groups, shuffled.

    Each group has its own random label, size (60 to 199), base rate, TPR and
    FPR; see :func:`course_tools.grading.inputs.group_confusion` for why every
    rate is defined.
    """
    k = int(rng.integers(2, 6))
    ys, ps, gs = [], [], []
    for label in rng.choice(GROUP_LABELS, k, replace=False):
        n = int(rng.integers(60, 200))
        y, p = group_confusion(
            rng, n, rng.uniform(0.2, 0.8), rng.uniform(0.5, 0.9), rng.uniform(0.1, 0.5)
        )
        ys.append(y)
        ps.append(p)
        gs.append(np.full(n, str(label)))
    order = rng.permutation(sum(len(y) for y in ys))
    return tuple(np.concatenate(x)[order].tolist() for x in (ys, ps, gs))


def rate_reference(y_true, y_pred, groups) -> pd.DataFrame:
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    g = np.asarray(groups)
    rows = {}
    for label in sorted(set(g.tolist())):
        m = g == label
        rows[label] = {
            "count": m.sum(),
            "base_rate": y[m].mean(),
            "fpr": (p[m] & ~y[m]).sum() / (~y[m]).sum(),
            "fnr": (~p[m] & y[m]).sum() / y[m].sum(),
            "ppv": (p[m] & y[m]).sum() / p[m].sum(),
            # Common mistakes, to recognise them.
            "fp_over_n": (p[m] & ~y[m]).sum() / m.sum(),
            "tpr": (p[m] & y[m]).sum() / y[m].sum(),
            "selection_rate": p[m].mean(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def rates_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then one drawn from ``rng``."""
    inputs = [*fixed_rate_inputs(), random_rate_input(rng)]
    return [Call("confusion_rates", args) for args in inputs]


def _close(got, want) -> bool:
    return np.allclose(
        np.asarray(got, dtype=float), np.asarray(want, dtype=float), atol=1e-9, rtol=0
    )


def rates_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        got = _frame(value, "confusion_rates")
        want = rate_reference(*call.args)
        missing = [c for c in RATE_COLUMNS if c not in got.columns]
        if missing:
            raise Fail(
                f"the result needs the columns {RATE_COLUMNS}; missing {missing}"
            )
        if [str(x) for x in got.index] != [str(x) for x in want.index]:
            raise Fail(
                "the result needs one row per group, indexed by group label in sorted order"
            )
        for column in RATE_COLUMNS:
            if _close(got[column], want[column]):
                continue
            if column == "fpr" and _close(got["fpr"], want["fnr"]):
                raise Fail("your FPR and FNR look swapped")
            if column == "fpr" and _close(got["fpr"], want["fp_over_n"]):
                raise Fail(
                    "the FPR divides false positives by the people with y_true == 0, not by the whole group"
                )
            if column == "ppv" and _close(got["ppv"], want["tpr"]):
                raise Fail(
                    "PPV divides true positives by everyone predicted 1 (that was the true positive rate)"
                )
            if column == "base_rate" and _close(
                got["base_rate"], want["selection_rate"]
            ):
                raise Fail(
                    "the base rate is the fraction with y_true == 1, not the fraction predicted 1"
                )
            raise Fail(f"the column {column!r} has wrong values")


# --------------------------------------------------------------------------
# Part 3: calibration_table
# --------------------------------------------------------------------------


@functools.cache
def calibration_inputs() -> list[tuple]:
    data = compas()
    return [
        (data["decile_score"], data["two_year_recid"], data["race"].astype(str)),
        (
            np.array([3, 1, 1, 2, 2, 2, 3]),
            np.array([1, 0, 1, 1, 1, 0, 0]),
            np.array(["b", "a", "a", "a", "b", "b", "a"]),
        ),
        subset_calibration_input(),
    ]


def subset_calibration_input() -> tuple[pd.Series, pd.Series, pd.Series]:
    """Decile scores, outcomes and races of Black and White defendants.

    Series on the full data's index, with gaps: see :func:`subset_series_input`.
    """
    y_true, _, race = subset_series_input()
    return compas().loc[y_true.index, "decile_score"], y_true, race


def calibration_reference(scores, y_true, groups) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "s": np.asarray(scores),
            "y": np.asarray(y_true, float),
            "g": np.asarray(groups),
        }
    )
    return frame.pivot_table(index="s", columns="g", values="y", aggfunc="mean")


def calibration_calls() -> list[Call]:
    return [Call("calibration_table", args) for args in calibration_inputs()]


def calibration_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(
        returned_values(outcomes), calibration_inputs(), strict=True
    ):
        got = _frame(value, "calibration_table")
        want = calibration_reference(*args)
        index = [str(x) for x in got.index]
        if index == [str(x) for x in want.columns]:
            raise Fail(
                "put the scores on the rows and the groups on the columns (the table looks transposed)"
            )
        if len(got.index) != len(want.index) or [float(x) for x in got.index] != [
            float(x) for x in want.index
        ]:
            raise Fail(
                "the index must be the distinct score values, in increasing order"
            )
        if [str(c) for c in got.columns] != [str(c) for c in want.columns]:
            raise Fail("the columns must be the distinct groups, in sorted order")
        values = got.to_numpy(dtype=float)
        expected = want.to_numpy(dtype=float)
        if np.allclose(values, expected, atol=1e-9, equal_nan=True):
            continue
        if (
            np.allclose(values, np.nan_to_num(expected), atol=1e-9)
            and np.isnan(expected).any()
        ):
            raise Fail(
                "where nobody in a group has a score, the entry must be NaN, not 0"
            )
        if np.nanmax(values) > 1:
            raise Fail("the entries must be rates (fractions reoffending), not counts")
        raise Fail(
            "some rates are wrong: each entry is the mean of y_true for that score and group"
        )


# --------------------------------------------------------------------------
# Part 4: chouldechova_fpr
# --------------------------------------------------------------------------


@functools.cache
def compas_identity_inputs() -> list[tuple[float, float, float]]:
    """Base rate, PPV and FNR of three races on COMPAS (decile_score >= 5)."""
    data = compas()
    y = data["two_year_recid"].to_numpy().astype(bool)
    pred = (data["decile_score"] >= 5).to_numpy()
    inputs = []
    for race in ["African-American", "Caucasian", "Hispanic"]:
        m = (data["race"] == race).to_numpy()
        inputs.append(
            (
                float(y[m].mean()),
                float((y & pred)[m].sum() / pred[m].sum()),
                float((y & ~pred)[m].sum() / y[m].sum()),
            )
        )
    return inputs


def identity_calls(rng: np.random.Generator) -> list[Call]:
    """The public cases, random arrays and the same as Series, then COMPAS.

    The arrays have 100 to 299 entries, each in [0.05, 0.95]: far enough
    from 0 and 1 that every factor of the identity is finite and non-zero.
    """
    p, ppv, fnr = rng.uniform(0.05, 0.95, size=(3, int(rng.integers(100, 300))))
    inputs = [
        (0.5, 0.5, 0.0),
        (0.2, 0.5, 0.5),
        (p, ppv, fnr),
        (pd.Series(p), pd.Series(ppv), pd.Series(fnr)),
        *compas_identity_inputs(),
    ]
    return [Call("chouldechova_fpr", args) for args in inputs]


def identity(p, ppv, fnr):
    p, ppv, fnr = (np.asarray(x, dtype=float) for x in (p, ppv, fnr))
    return p / (1 - p) * (1 - ppv) / ppv * (1 - fnr)


def identity_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        p, ppv, fnr = call.args
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail(
                "chouldechova_fpr must return numbers (a float or an array)"
            ) from error
        want = identity(p, ppv, fnr)
        if got.shape != want.shape:
            raise Fail(
                "chouldechova_fpr must work elementwise: an array in, an array of the same shape out"
            )
        if np.allclose(got, want, rtol=1e-12, atol=0):
            continue
        p, ppv, fnr = (np.asarray(x, dtype=float) for x in (p, ppv, fnr))
        if np.allclose(got, p * (1 - ppv) / ppv * (1 - fnr), rtol=1e-9):
            raise Fail("use the odds p / (1 - p) of the base rate, not p itself")
        if np.allclose(got, p / (1 - p) * ppv / (1 - ppv) * (1 - fnr), rtol=1e-9):
            raise Fail("the PPV factor is (1 - PPV) / PPV")
        if np.allclose(got, p / (1 - p) * (1 - ppv) / ppv * fnr, rtol=1e-9):
            raise Fail("the last factor is 1 - FNR, the true positive rate")
        raise Fail("the values do not match the identity")


# --------------------------------------------------------------------------
# Part 5: calibration_intervals
# --------------------------------------------------------------------------

INTERVAL_COLUMNS = ["score", "group", "n", "rate", "low", "high"]


def random_interval_input(rng: np.random.Generator) -> tuple:
    """Scores, outcomes and groups (Series on shuffled indexes) and a level.

    2 to 4 groups of 20 to 200 people, integer scores from 1 to 4 to 10 with
    random weights (so that some pairs are empty and some hold one person),
    each score's reoffence rate drawn in [0, 1] with rates 0 and 1 forced on
    two scores, so that intervals at 0 and 1 are checked.
    """
    k = int(rng.integers(2, 5))
    top = int(rng.integers(4, 11))
    scores, outcomes, groups = [], [], []
    for label in rng.choice(GROUP_LABELS, k, replace=False):
        n = int(rng.integers(20, 201))
        weights = rng.dirichlet(np.full(top, 0.7))
        s = rng.choice(np.arange(1, top + 1), size=n, p=weights)
        rate = rng.uniform(0, 1, top + 1)
        rate[1], rate[top] = 0.0, 1.0
        scores.append(s)
        outcomes.append((rng.random(n) < rate[s]).astype(int))
        groups.append(np.full(n, str(label)))
    total = sum(len(s) for s in scores)
    level = float(rng.uniform(0.5, 0.999))
    # Entries match by position; each Series has its own shuffled index.
    return (
        pd.Series(np.concatenate(scores), index=rng.permutation(total) * 3 + 7),
        pd.Series(np.concatenate(outcomes), index=rng.permutation(total)),
        pd.Series(np.concatenate(groups), index=rng.permutation(total) + 5),
        level,
    )


@functools.cache
def fixed_interval_inputs() -> list[tuple]:
    """The public checks' cases, then COMPAS at the default and at 90%."""
    data = compas()
    y, _, race = subset_series_input()
    return [
        ([1, 1, 1, 1, 2, 2], [1, 0, 1, 1, 0, 0], ["a", "a", "a", "a", "a", "b"]),
        ([1, 1, 1, 1], [1, 0, 1, 1], ["a", "a", "a", "a"], 0.99),
        (data["decile_score"], data["two_year_recid"], data["race"].astype(str)),
        (data.loc[y.index, "decile_score"].to_numpy(), y, race, 0.9),
    ]


def interval_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then two drawn from ``rng`` (one at the default level)."""
    first, second = random_interval_input(rng), random_interval_input(rng)
    inputs = [*fixed_interval_inputs(), first[:3], second]
    return [Call("calibration_intervals", args) for args in inputs]


def interval_reference(scores, y_true, groups, level=0.95, *, z=None) -> pd.DataFrame:
    """Each (score, group) pair's n, rate and Wilson interval, sorted by the pair.

    ``z`` overrides the quantile, to recognise mistakes.
    """
    frame = pd.DataFrame(
        {
            "score": np.asarray(scores, dtype=float),
            "group": np.asarray(groups).astype(str),
            "y": np.asarray(y_true, dtype=float),
        }
    )
    table = frame.groupby(["score", "group"])["y"].agg(n="size", rate="mean")
    table = table.reset_index()
    z = norm_ppf(0.5 + level / 2) if z is None else z
    n, rate = table["n"].to_numpy(float), table["rate"].to_numpy(float)
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2))
    table["low"], table["high"] = centre - half, centre + half
    table["wald_low"] = rate - z * np.sqrt(rate * (1 - rate) / n)
    table["wald_high"] = rate + z * np.sqrt(rate * (1 - rate) / n)
    return table


def norm_ppf(q: float) -> float:
    return NormalDist().inv_cdf(q)


def _sorted_pairs(got: pd.DataFrame) -> pd.DataFrame:
    """The student's table with float scores and str groups, sorted by pair."""
    try:
        scores = np.asarray(got["score"], dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail("the column 'score' must hold the score values") from error
    out = pd.DataFrame(
        {
            "score": scores,
            "group": [str(g) for g in got["group"]],
            **{c: np.asarray(got[c], dtype=float) for c in INTERVAL_COLUMNS[2:]},
        }
    )
    return out.sort_values(["score", "group"], kind="stable").reset_index(drop=True)


def interval_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        got = _frame(value, "calibration_intervals")
        missing = [c for c in INTERVAL_COLUMNS if c not in got.columns]
        if missing:
            raise Fail(
                f"the result needs the columns {INTERVAL_COLUMNS}; missing {missing}"
            )
        want = interval_reference(*call.args)
        try:
            got = _sorted_pairs(got)
        except (TypeError, ValueError) as error:
            raise Fail("the columns n, rate, low and high must hold numbers") from error
        pairs = list(zip(got["score"], got["group"], strict=True))
        if pairs != list(zip(want["score"], want["group"], strict=True)):
            if len(pairs) > len(want):
                raise Fail(
                    "one row per (score, group) pair that occurs: no row for an empty pair, none twice"
                )
            raise Fail(
                "one row per (score, group) pair that occurs in the data; some are missing"
            )
        if not _close(got["n"], want["n"]):
            raise Fail("n is the number of people in the group with that score")
        if not _close(got["rate"], want["rate"]):
            raise Fail(
                "rate is the fraction of the pair's people with y_true == 1 (are the inputs aligned by position?)"
            )
        if _close(got["low"], want["low"]) and _close(got["high"], want["high"]):
            continue
        if _close(got["low"], want["wald_low"]) or _close(
            got["low"], np.clip(want["wald_low"], 0, 1)
        ):
            raise Fail(
                "that is the textbook (Wald) interval rate +- z sqrt(rate (1 - rate) / n); use Wilson's"
            )
        level = call.args[3] if len(call.args) > 3 else 0.95
        for z, hint in [
            (
                1.96,
                "z depends on the level: z = NormalDist().inv_cdf(1 - (1 - level) / 2)",
            ),
            (
                norm_ppf(level),
                "use the two-sided quantile, NormalDist().inv_cdf(1 - (1 - level) / 2), not inv_cdf(level)",
            ),
        ]:
            wrong = interval_reference(*call.args[:3], z=z)
            if _close(got["low"], wrong["low"]) and not _close(
                wrong["low"], want["low"]
            ):
                raise Fail(hint)
        raise Fail("some interval ends are wrong: check the Wilson formula")


TESTS = {
    "test_propublica_filter": Test(filter_calls, filter_check),
    "test_confusion_rates": Test(rates_calls, rates_check),
    "test_calibration_table": Test(calibration_calls, calibration_check),
    "test_chouldechova_fpr": Test(identity_calls, identity_check),
    "test_calibration_intervals": Test(interval_calls, interval_check),
}
