"""Hidden tests of homework 13 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw13.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function, and every check
computes its reference answers from the calls it receives, with its own code:
``course_lib.pipeline`` only builds the course data, as in the setup cell.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- part A: three grids of 20 to 300 score cells on a random range [lo, hi]
  (both ends included, with repayment 0 at lo and 1 at hi, so that the clip
  binds at both ends), random gain and loss in (10, 200);
- part B: three Dirichlet pmfs over 10 to 200 cells (with some empty cells),
  random changes, and rates that include 0, 1, rates inside cells and the
  cell edges;
- part C: three pairs of groups (30 to 150 cells each, repayment increasing
  with the score), a random weight in (0.05, 0.95) and break-even in
  (0.3, 0.95);
- part D: three samples of 50 to 2,000 people in 2 to 4 groups, where whether
  an outcome is observed depends on the prediction and the group, as a
  lender's approvals would.

Fixed: the public checks' cases, small hand-written cases (in part C one where
every loan loses money, so that the best common rate is 0), and the inputs
built from the course's FICO and German credit data as in the setup cell.

Every part is deterministic (false-failure rate zero):

- parts A, B and D are compared with reference answers at 1e-9 (relative to
  the size of the changes) or 1e-12 (rates), with NaN where the reference is
  NaN;
- part C checks a property, not one formula: the returned rate is in [0, 1]
  and its weighted profit is within 1e-5 of the largest one, computed at every
  rate where either group's boundary reaches the edge of a cell (the profit is
  piecewise linear between them). A grid search over 200,001 rates is within
  2.5e-6 (the profit's slope is at most 1), so any correct method earns full
  marks; each recognised mistake loses at least 1.1e-4 on one of the FICO cases.

See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from course_lib.datasets import load_german
from course_lib.pipeline import fico_population, selective_labels_experiment
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

# --------------------------------------------------------------------------
# Course data, built as in the notebook's setup cell
# --------------------------------------------------------------------------


@functools.cache
def fico_data() -> dict[str, np.ndarray | float]:
    population = fico_population(groups=("Black", "White"))
    return {
        "scores": population.scores,
        "pmf_black": population.pmf["Black"].to_numpy(),
        "pmf_white": population.pmf["White"].to_numpy(),
        "repay_black": population.repay["Black"].to_numpy(),
        "repay_white": population.repay["White"].to_numpy(),
        "weight_black": float(population.weights["Black"]),
    }


@functools.cache
def german_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """bad, flagged, approved, age_group, as in the setup cell."""
    german = load_german()
    bad = (german["credit"] == "bad").to_numpy().astype(int)
    approved = (german["status"] != "... < 0 DM").to_numpy()
    age_group = np.where(german["age"] < 25, "under 25", "25 and over")
    features = pd.get_dummies(
        german.drop(columns=["credit", "status_sex"]), drop_first=True
    ).astype(float)
    experiment = selective_labels_experiment(features, bad, approved, random_state=0)
    risk = experiment.predictions["selected_only"].to_numpy()
    return bad, (risk >= 0.3).astype(int), approved, age_group


def _floats(value, n: int, what: str) -> np.ndarray:
    """``value`` as a 1-d float array of length ``n``, or Fail."""
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail(f"return an array of {what}") from error
    if value is None or got.shape != (n,):
        raise Fail(f"return one number per {what[:-1]} ({n} here)")
    return got


# --------------------------------------------------------------------------
# Part A: expected_score_change
# --------------------------------------------------------------------------


def change_reference(scores, repay, gain, loss, lo, hi, *, clip=True, new=False):
    scores, repay = np.asarray(scores, float), np.asarray(repay, float)
    expected = scores + repay * gain - (1 - repay) * loss
    if clip:
        expected = np.clip(expected, lo, hi)
    return expected if new else expected - scores


@functools.cache
def fixed_change_inputs() -> list[tuple]:
    f = fico_data()
    return [
        ([300.0, 500.0, 840.0], [0.2, 0.9, 0.9], 75, 150, 300, 850),
        ([600.0], [2 / 3], 75, 150, 300, 850),
        ([0.0, 5.0, 10.0, 10.0], [0.0, 0.5, 1.0, 0.0], 4.0, 2.0, 0.0, 10.0),
        (f["scores"], f["repay_black"], 75, 150, 300, 850),
        (f["scores"], f["repay_white"], 75, 150, 300, 850),
        (f["scores"], f["repay_black"], 75, 75, 300, 850),
    ]


def draw_change_input(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(20, 301))
    lo = float(rng.uniform(0, 400))
    hi = lo + float(rng.uniform(100, 600))
    scores = np.sort(np.concatenate([[lo, hi], rng.uniform(lo, hi, n - 2)]))
    repay = rng.random(n)
    repay[0], repay[-1] = 0.0, 1.0
    gain, loss = rng.uniform(10, 200, 2)
    return (scores, repay, float(gain), float(loss), lo, hi)


def change_calls(rng: np.random.Generator) -> list[Call]:
    drawn = [draw_change_input(rng) for _ in range(3)]
    inputs = [*fixed_change_inputs(), *drawn]
    return [Call("expected_score_change", args) for args in inputs]


def change_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        scores, repay, gain, loss, lo, hi = call.args
        got = _floats(value, len(scores), "changes")
        want = change_reference(*call.args)
        tol = 1e-9 * (1.0 + abs(hi) + gain + loss)
        if np.allclose(got, want, rtol=0, atol=tol):
            continue
        if np.allclose(got, change_reference(*call.args, new=True), atol=tol):
            raise Fail(
                "return the change of the score (new score - score), not the new score"
            )
        if np.allclose(got, change_reference(*call.args, clip=False), atol=tol):
            raise Fail(
                "clip the expected new score to [lo, hi] before subtracting the score: "
                "a score cannot rise above hi or fall below lo"
            )
        flipped = (scores, 1 - np.asarray(repay, float), gain, loss, lo, hi)
        if np.allclose(got, change_reference(*flipped), atol=tol):
            raise Fail("repay is the probability of REPAYING, which earns the gain")
        if np.allclose(
            got, change_reference(scores, repay, gain, -loss, lo, hi), atol=tol
        ):
            raise Fail("a default LOWERS the score by loss")
        raise Fail("the changes are wrong")


# --------------------------------------------------------------------------
# Part B: outcome_curve
# --------------------------------------------------------------------------


def _lent(pmf, rates) -> np.ndarray:
    """The mass of each cell that gets a loan at each rate (top cells first)."""
    pmf = np.asarray(pmf, float)
    above = np.cumsum(pmf[::-1])[::-1] - pmf
    return np.clip(np.asarray(rates, float)[:, None] - above[None, :], 0.0, pmf)


def curve_reference(pmf, delta, rates) -> np.ndarray:
    return _lent(pmf, rates) @ np.asarray(delta, float)


def curve_mistakes(pmf, delta, rates) -> list[tuple[np.ndarray, str]]:
    pmf, delta = np.asarray(pmf, float), np.asarray(delta, float)
    rates = np.asarray(rates, float)
    whole = _lent(pmf, rates)
    full = np.isclose(whole, pmf, rtol=0, atol=1e-12)
    partial = (whole > 1e-12) & ~full
    reference = whole @ delta
    with np.errstate(divide="ignore", invalid="ignore"):
        per_borrower = np.where(rates > 0, reference / rates, 0.0)
    return [
        (
            curve_reference(pmf[::-1], delta[::-1], rates),
            "lend to the HIGHEST scores first: the cells are listed lowest first",
        ),
        (
            per_borrower,
            "return the change per member of the group (those without a loan count "
            "as 0), not the mean change among the borrowers",
        ),
        (
            (full * pmf) @ delta,
            "the boundary cell gets loans for part of its members, just enough to "
            "reach the rate; here it got none",
        ),
        (
            ((full | partial) * pmf) @ delta,
            "the boundary cell gets loans for part of its members, just enough to "
            "reach the rate; here all of it got one",
        ),
    ]


@functools.cache
def fixed_curve_inputs() -> list[tuple]:
    f = fico_data()
    grid = np.linspace(0, 1, 101)
    cases = [
        ([0.5, 0.3, 0.2], [-10.0, 5.0, 20.0], [0.0, 0.1, 0.2, 0.35, 1.0]),
        ([0.5, 0.0, 0.5], [1.0, 7.0, 3.0], [0.25, 0.75]),
        ([1.0], [4.0], [0.0, 0.3, 1.0]),
        ([0.25, 0.25, 0.25, 0.25], [1.0, -2.0, 3.0, -4.0], [0.5, 0.6, 0.125]),
    ]
    for repay, pmf in (
        (f["repay_black"], f["pmf_black"]),
        (f["repay_white"], f["pmf_white"]),
    ):
        pm = np.where(repay >= 2 / 3, 1.0, -1.0)
        delta = change_reference(f["scores"], repay, 75, 150, 300, 850)
        cases.append((pmf, pm, grid))
        cases.append((pmf, delta, np.concatenate([grid, [0.2384, 0.4312, 0.7378]])))
    return cases


def draw_curve_input(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(10, 201))
    pmf = rng.dirichlet(np.full(n, 0.7))
    pmf[rng.random(n) < 0.1] = 0.0  # some empty cells
    pmf /= pmf.sum()
    delta = rng.normal(0, 50, n)
    edges = np.cumsum(pmf[::-1])[rng.integers(0, n, 5)]
    rates = np.concatenate([[0.0, 1.0], rng.random(40), np.clip(edges, 0, 1)])
    return (pmf, delta, rng.permutation(rates))


def curve_calls(rng: np.random.Generator) -> list[Call]:
    drawn = [draw_curve_input(rng) for _ in range(3)]
    return [Call("outcome_curve", args) for args in [*fixed_curve_inputs(), *drawn]]


def curve_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        pmf, delta, rates = call.args
        got = _floats(value, len(rates), "rates")
        want = curve_reference(pmf, delta, rates)
        tol = 1e-9 * (1.0 + float(np.abs(delta).max()))
        if np.allclose(got, want, rtol=0, atol=tol):
            continue
        zero = np.asarray(rates, float) == 0
        if zero.any() and not np.allclose(got[zero], 0.0, atol=tol):
            raise Fail("at rate 0 nobody gets a loan: the mean change is 0")
        for mistake, hint in curve_mistakes(pmf, delta, rates):
            if np.allclose(got, mistake, rtol=0, atol=tol, equal_nan=True):
                raise Fail(hint)
        if not np.isfinite(got).all():
            raise Fail("some values are not finite: mind the empty cells (pmf 0)")
        raise Fail("the outcome curve is wrong")


# --------------------------------------------------------------------------
# Part C: demographic_parity_rate
# --------------------------------------------------------------------------

#: How far below the largest weighted profit a correct rate may be.
PROFIT_TOL = 1e-5


def profit(pmf, repay, rates, break_even) -> np.ndarray:
    return _lent(pmf, rates) @ (np.asarray(repay, float) - break_even)


def _edges(*pmfs) -> np.ndarray:
    cuts = [np.cumsum(np.asarray(p, float)[::-1]) for p in pmfs]
    return np.unique(np.clip(np.concatenate([[0.0, 1.0], *cuts]), 0.0, 1.0))


def dp_profit(args, rates) -> np.ndarray:
    pmf_a, repay_a, pmf_b, repay_b, w, be = args
    rates = np.atleast_1d(np.asarray(rates, float))
    return w * profit(pmf_a, repay_a, rates, be) + (1 - w) * profit(
        pmf_b, repay_b, rates, be
    )


@functools.cache
def fixed_dp_inputs() -> list[tuple]:
    f = fico_data()
    fico = (f["pmf_black"], f["repay_black"], f["pmf_white"], f["repay_white"])
    a, b = ([0.5, 0.5], [0.5, 0.9]), ([0.2, 0.8], [0.7, 0.95])
    return [
        (*a, *b, 0.5, 0.8),
        (*a, *b, 0.1, 0.8),
        ([0.3, 0.3, 0.4], [0.2, 0.5, 0.6], [1.0], [0.9], 0.5, 0.7),
        (*fico, f["weight_black"], 0.8),
        (*fico, f["weight_black"], 10 / 11),
        (*fico, f["weight_black"], 0.82),
        # Every loan loses money: the best common rate is 0 (lend to nobody).
        ([0.5, 0.5], [0.3, 0.5], [0.4, 0.6], [0.2, 0.6], 0.5, 0.8),
    ]


def draw_group(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.integers(30, 151))
    lo, hi = np.sort(rng.uniform(0.0, 1.0, 2))
    repay = np.sort(rng.uniform(min(lo, 0.3), max(hi, 0.9), n))
    return rng.dirichlet(np.ones(n)), repay


def draw_dp_input(rng: np.random.Generator) -> tuple:
    pmf_a, repay_a = draw_group(rng)
    pmf_b, repay_b = draw_group(rng)
    w = float(rng.uniform(0.05, 0.95))
    return (pmf_a, repay_a, pmf_b, repay_b, w, float(rng.uniform(0.3, 0.95)))


def dp_calls(rng: np.random.Generator) -> list[Call]:
    drawn = [draw_dp_input(rng) for _ in range(3)]
    return [
        Call("demographic_parity_rate", args) for args in [*fixed_dp_inputs(), *drawn]
    ]


def dp_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        pmf_a, repay_a, pmf_b, repay_b, w, be = call.args
        try:
            rate = float(np.asarray(value, dtype=float).reshape(()))
        except (TypeError, ValueError) as error:
            raise Fail("return one number: the common selection rate") from error
        if not -1e-12 <= rate <= 1 + 1e-12:
            raise Fail(f"a selection rate is in [0, 1]; got {rate!r}")
        edges = _edges(pmf_a, pmf_b)
        best = float(dp_profit(call.args, edges).max())
        if dp_profit(call.args, rate)[0] >= best - PROFIT_TOL:
            continue
        own_a = edges[np.argmax(profit(pmf_a, repay_a, edges, be))]
        equal = edges[
            np.argmax(dp_profit((pmf_a, repay_a, pmf_b, repay_b, 0.5, be), edges))
        ]
        if abs(rate - equal) < 1e-9 and abs(w - 0.5) > 1e-9:
            raise Fail(
                "weight each group's profit by its share of the population "
                "(weight_a and 1 - weight_a)"
            )
        if best <= PROFIT_TOL and rate > 0:
            raise Fail(
                "here every loan loses money, so the bank lends to nobody: the rate "
                "0 is a candidate too"
            )
        if abs(rate - own_a) < 1e-9:
            raise Fail("maximise the profit over BOTH groups, not group a's alone")
        raise Fail(
            f"the bank can earn {best:.6g} per applicant at a common rate; "
            f"your rate earns {dp_profit(call.args, rate)[0]:.6g}"
        )


# --------------------------------------------------------------------------
# Part D: selective_rates
# --------------------------------------------------------------------------

COLUMNS = ["fpr_observed", "fpr_all", "fnr_observed", "fnr_all"]


def rates_reference(y_true, y_pred, observed, groups, *, use=None, per_member=False):
    """The reference table; ``use`` replaces the observed mask of the
    "observed" columns, ``per_member`` divides by the group's size."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    seen = np.asarray(observed, bool) if use is None else np.asarray(use, bool)
    g = np.asarray(groups)
    out = {}
    for label in np.unique(g):
        row = {}
        for scope, rows in (("observed", seen), ("all", np.ones(len(g), bool))):
            member = (g == label) & rows
            for name, cls, hit in (("fpr", ~y, p), ("fnr", y, ~p)):
                denominator = member.sum() if per_member else (member & cls).sum()
                count = (member & cls & hit).sum()
                row[f"{name}_{scope}"] = count / denominator if denominator else np.nan
        out[label] = row
    return pd.DataFrame.from_dict(out, orient="index")[COLUMNS]


@functools.cache
def fixed_rates_inputs() -> list[tuple]:
    return [
        (
            [0, 0, 1, 1, 0, 0, 1, 1, 1, 0],
            [1, 0, 1, 0, 0, 1, 1, 0, 1, 0],
            [True, True, True, True, False, True, True, False, True, False],
            ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c"],
        ),
        (
            np.array([1, 1, 0, 0, 1, 0]),
            np.array([1, 0, 0, 1, 1, 1]),
            np.array([True, True, False, False, True, True]),
            np.array([2, 2, 2, 1, 1, 1]),
        ),
        german_data(),
    ]


def draw_rates_input(rng: np.random.Generator) -> tuple:
    n = int(rng.integers(50, 2001))
    k = int(rng.integers(2, 5))
    names = rng.permutation(["north", "east", "south", "west"])[:k]
    g = rng.integers(0, k, n)
    y = (rng.random(n) < rng.uniform(0.2, 0.6, k)[g]).astype(int)
    p = (rng.random(n) < np.where(y == 1, 0.7, 0.3)).astype(int)
    # Approved (observed) mostly when predicted good, at a rate that differs by group.
    approve = np.where(p == 0, rng.uniform(0.7, 1.0, k)[g], rng.uniform(0.1, 0.5, k)[g])
    return (y, p, rng.random(n) < approve, names[g])


def rates_calls(rng: np.random.Generator) -> list[Call]:
    drawn = [draw_rates_input(rng) for _ in range(3)]
    return [Call("selective_rates", args) for args in [*fixed_rates_inputs(), *drawn]]


def _same_table(got: pd.DataFrame, want: pd.DataFrame) -> bool:
    a, b = got[COLUMNS].to_numpy(dtype=float), want[COLUMNS].to_numpy(dtype=float)
    return bool(np.allclose(a, b, rtol=0, atol=1e-12, equal_nan=True))


def rates_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        want = rates_reference(*call.args)
        if not isinstance(value, pd.DataFrame):
            raise Fail("return a pandas DataFrame with one row per group")
        missing = [c for c in COLUMNS if c not in value.columns]
        if missing:
            raise Fail(f"the DataFrame needs the columns {COLUMNS}; missing {missing}")
        if [str(i) for i in value.index] != [str(i) for i in want.index]:
            raise Fail(
                f"index the rows by the group labels, sorted: {list(want.index)}; "
                f"got {list(value.index)}"
            )
        try:
            same = _same_table(value, want)
        except (TypeError, ValueError) as error:
            raise Fail("the rates must be numbers (NaN where undefined)") from error
        if not same:
            raise Fail(_rates_hint(value, call, want))


def _rates_hint(value: pd.DataFrame, call: Call, want: pd.DataFrame) -> str:
    """The hint for a wrong table of rates: the first known mistake it matches."""
    y_true, y_pred, observed, groups = call.args
    seen = np.asarray(observed, bool)
    everyone = np.ones(len(seen), bool)
    got = value[COLUMNS].to_numpy(dtype=float)
    if _same_table(value, rates_reference(*call.args, use=everyone)):
        return "the *_observed columns use the rows where observed is True only"
    if _same_table(value, rates_reference(*call.args, use=~seen)):
        return "observed is True where the outcome is KNOWN: keep those rows"
    if _same_table(value, rates_reference(*call.args, per_member=True)):
        return (
            "the FPR is a share of the group's members with y_true == 0 (the FNR, "
            "of those with y_true == 1), not of all its members"
        )
    flipped = (1 - np.asarray(y_true).astype(int), y_pred, observed, groups)
    if _same_table(value, rates_reference(*flipped)):
        return (
            "the FPR is the share FLAGGED among those with y_true == 0, the FNR "
            "the share NOT flagged among those with y_true == 1"
        )
    own = want[["fpr_observed", "fpr_observed", "fnr_observed", "fnr_observed"]]
    if np.allclose(got, own.to_numpy(), atol=1e-12, equal_nan=True):
        return "the *_all columns use every row of the group, observed or not"
    swapped = want[["fnr_observed", "fnr_all", "fpr_observed", "fpr_all"]]
    if np.allclose(got, swapped.to_numpy(), atol=1e-12, equal_nan=True):
        return "FPR and FNR are swapped"
    if np.isnan(want.to_numpy()).any() and not np.array_equal(
        np.isnan(got), np.isnan(want[COLUMNS].to_numpy())
    ):
        return "a rate whose denominator is empty is NaN"
    return "the rates are wrong"


TESTS = {
    "test_expected_score_change": Test(change_calls, change_check),
    "test_outcome_curve": Test(curve_calls, curve_check),
    "test_demographic_parity_rate": Test(dp_calls, dp_check),
    "test_selective_rates": Test(rates_calls, rates_check),
}
