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
  FNRs (random length, values in [0.05, 0.95]).

Their checks compute the reference answers from the calls they receive. Fixed
everywhere: the public checks' cases, the inputs built from the COMPAS data
and the small hand-written cases; ``test_propublica_filter`` and
``test_calibration_table`` have no other inputs, so they are not randomised.
All checks compare with exact answers: none is statistical.
"""

from __future__ import annotations

import functools

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
    ]


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
    ]


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
        if [float(x) for x in got.index] != [float(x) for x in want.index]:
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


TESTS = {
    "test_propublica_filter": Test(filter_calls, filter_check),
    "test_confusion_rates": Test(rates_calls, rates_check),
    "test_calibration_table": Test(calibration_calls, calibration_check),
    "test_chouldechova_fpr": Test(identity_calls, identity_check),
}
