"""Hidden tests of homework 5 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw05.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises.
See ``course_tools.grading.spec`` and the README's section for course authors.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``),
each with a random size, random rates and a random choice of the columns that
carry the planted unfairness:

- ``test_marginal_fpr_gaps``: the "unfair where two columns agree" example
  and the example where one column raises the FPR, one lowers it and one is
  neutral (also with bool dtypes);
- ``test_subgroup_violation``: subgroups of those two examples, and the empty
  subgroup and the whole population of the second;
- ``test_most_violated_cell``: the "agree" example, an example with a planted
  pair of columns and a tiny subgroup with an extreme rate, and two columns of
  the raise/lower example (whose most violated subgroup is a marginal one);
- ``test_halfspace_audit``: three examples of 7,000 to 10,000 rows and 3 to 6
  numeric columns of random means and scales, with a higher FPR planted on
  one side of a random hyperplane: two with the boundary 0.5 to 1 standard
  deviation from the centre, on opposite sides, and one through it. An answer
  passes if its half-space's violation reaches 80% of the planted
  subgroup's, so any method that finds it passes.

A draw is kept only if it meets what its part needs, by a margin of 1e-6 (far
above the checks' tolerance of 1e-9), and is otherwise redrawn from the same
``rng``:

- parts 1 and 3: every value of every column has negatives and positives;
- part 1: one column of the raise/lower example raises the FPR and another
  lowers it;
- part 2: each subgroup and the rest of the rows have negatives, the
  subgroup has positives, and its FPR differs from the overall one;
- part 3: the most violated subgroup of the "agree" and planted-pair
  examples beats every marginal group and every full cell (the planted
  pair's also every subgroup with the largest rate gap); in the two-column
  raise/lower example, a marginal group beats every cell.

- part 6: the reference (least squares among the negatives, then the best
  cut of its scores) reaches 90% of the planted subgroup's violation, and the
  shortcuts (the regression's own cut, away from the centre; a regression
  over everyone; an uncentred one; the best cut of a single column) stay
  below 70% of it.

So the mistakes these examples are there to catch change the answer on every
draw. The checks compute their references from the calls they receive.

Fixed: the public checks' cases (among them the notebook's planted example of
20,000 rows), the COMPAS cases and the small hand-written cases;
``test_wilson_interval`` and ``test_audit_queries_needed`` have only
hand-written inputs, so they are not randomised. Every check compares with
the exact answer within a tolerance, or (part 6) with the planted subgroup
under the draw conditions above, none is statistical: no check can fail a
correct answer by chance.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import norm

from course_lib.datasets import load_compas
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

#: By how much a drawn example's planted structure must hold.
MARGIN = 1e-6

Case = tuple[np.ndarray, np.ndarray, pd.DataFrame]

# --------------------------------------------------------------------------
# Fixed inputs, built once per grading run
# --------------------------------------------------------------------------


@functools.cache
def compas_inputs() -> Case:
    """COMPAS outcomes, "higher risk" predictions and three binary attributes."""
    data = load_compas(filter="propublica")
    A = pd.DataFrame(
        {
            "black": (data["race"] == "African-American").to_numpy(),
            "female": (data["sex"] == "Female").to_numpy(),
            "under_25": (data["age_cat"] == "Less than 25").to_numpy(),
        }
    ).astype(int)
    y = data["two_year_recid"].to_numpy()
    pred = (data["decile_score"] >= 5).to_numpy().astype(int)
    return y, pred, A


@functools.cache
def notebook_inputs() -> Case:
    """The notebook's planted example (``y_syn, pred_syn, A_syn``), as its public
    checks use it: fair on a, b, c; unfair where a == b."""
    rng = np.random.default_rng(2018)
    n = 20_000
    A = pd.DataFrame({name: rng.integers(0, 2, n) for name in ["a", "b", "c"]})
    y = (rng.random(n) < 0.4).astype(int)
    false_alarm = np.where(A["a"] == A["b"], 0.3, 0.1)
    pred = (rng.random(n) < np.where(y == 1, 0.7, false_alarm)).astype(int)
    return y, pred, A


# --------------------------------------------------------------------------
# Inputs drawn per submission
# --------------------------------------------------------------------------


AGREE_COLUMNS = ["a", "b", "c"]


def draw_agree(rng: np.random.Generator, pair: tuple[str, str]) -> Case:
    """Columns a, b, c of random bits; more false positives where the two
    columns of ``pair`` agree: fair on each column, unfair on their cells.

    3,000 to 5,000 rows, base rate 0.3 to 0.5, TPR 0.7, FPR 0.25 to 0.35 where
    the pair agrees and 0.05 to 0.15 where it does not.
    """
    n = int(rng.integers(3000, 5001))
    A = pd.DataFrame({name: rng.integers(0, 2, n) for name in AGREE_COLUMNS})
    y = (rng.random(n) < rng.uniform(0.3, 0.5)).astype(int)
    fp = np.where(
        A[pair[0]] == A[pair[1]], rng.uniform(0.25, 0.35), rng.uniform(0.05, 0.15)
    )
    pred = (rng.random(n) < np.where(y == 1, 0.7, fp)).astype(int)
    return y, pred, A


def draw_pair_of_columns(rng: np.random.Generator) -> tuple[str, str]:
    """The two columns of the "agree" example that carry the unfairness."""
    first, second = rng.choice(AGREE_COLUMNS, 2, replace=False)
    return str(first), str(second)


def draw_planted_pair(rng: np.random.Generator) -> Case:
    """Columns a, b, c, d: false positives planted on one cell of two of them
    (chosen at random), plus a tiny subgroup, where the two others (each 1 for
    a tenth of the rows) are both 1, with an FPR of 0.95 but little mass.

    2,500 to 4,000 rows, base rate 0.5, TPR 0.6, FPR 0.15 outside the planted
    cell and 0.4 to 0.5 in it.
    """
    n = int(rng.integers(2500, 4001))
    names = rng.permutation(["a", "b", "c", "d"])
    common, rare = names[:2], names[2:]
    bits = {c: rng.integers(0, 2, n) for c in common}
    bits |= {c: (rng.random(n) < 0.1).astype(int) for c in rare}
    A = pd.DataFrame({c: bits[c] for c in ["a", "b", "c", "d"]})
    y = (rng.random(n) < 0.5).astype(int)
    cell = conjunction_mask(A, dict(zip(common, rng.integers(0, 2, 2), strict=True)))
    fp = np.where(cell, rng.uniform(0.4, 0.5), 0.15)
    fp = np.where(conjunction_mask(A, {c: 1 for c in rare}), 0.95, fp)
    pred = (rng.random(n) < np.where(y == 1, 0.6, fp)).astype(int)
    return y, pred, A


def draw_raise_lower(
    rng: np.random.Generator, effects: tuple[float, ...] = (0.25, -0.15, 0.0)
) -> Case:
    """Columns u, v, w (one per effect) of random bits, each moving the FPR by
    one of ``effects``, assigned at random: by default one raises it, one
    lowers it and one is neutral.

    2,000 to 3,500 rows, base rate 0.3, TPR 0.8, FPR 0.2 plus the effects.
    """
    n = int(rng.integers(2000, 3501))
    names = ["u", "v", "w"][: len(effects)]
    A = pd.DataFrame({name: rng.integers(0, 2, n) for name in names})
    effect = rng.permutation(effects)
    fp = 0.2 + A.to_numpy() @ effect
    y = (rng.random(n) < 0.3).astype(int)
    pred = (rng.random(n) < np.where(y == 1, 0.8, fp)).astype(int)
    return y, pred, A


def _number(value, what: str) -> float:
    try:
        x = float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError) as error:
        raise Fail(
            f"{what} must return one number; got {type(value).__name__}"
        ) from error
    return x


# --------------------------------------------------------------------------
# Reference implementations (and common mistakes, to recognise them)
# --------------------------------------------------------------------------


def _fpr(y: np.ndarray, p: np.ndarray, rows: np.ndarray) -> float:
    negatives = rows & (y == 0)
    return p[negatives].mean()


def violation_reference(y_true, y_pred, mask) -> float:
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    alpha = (g & neg).mean()
    if alpha == 0:
        return 0.0
    return float(alpha * abs(p[g & neg].mean() - p[neg].mean()))


def violation_variants(y_true, y_pred, mask) -> dict[str, float]:
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    if not (g & neg).any() or not (~g & neg).any():
        return {}
    diff = p[g & neg].mean() - p[neg].mean()
    return {
        "alpha_all_rows": g.mean() * abs(diff),
        "alpha_share_of_negatives": (g & neg).sum() / neg.sum() * abs(diff),
        "no_alpha": abs(diff),
        "signed": (g & neg).mean() * diff,
        "complement": (g & neg).mean() * abs(diff + p[neg].mean() - p[~g & neg].mean()),
        "selection_rate": (g & neg).mean() * abs(p[g].mean() - p.mean()),
    }


def marginal_reference(y_true, y_pred, A: pd.DataFrame) -> pd.Series:
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    out = {}
    for col in A.columns:
        a = np.asarray(A[col]).astype(int)
        out[col] = abs(_fpr(y, p, a == 1) - _fpr(y, p, a == 0))
    return pd.Series(out, dtype=float)


def marginal_variants(y_true, y_pred, A: pd.DataFrame) -> dict[str, pd.Series]:
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    neg = y == 0
    variants: dict[str, dict] = {
        "signed": {},
        "fp_over_n": {},
        "vs_overall": {},
        "fnr": {},
        "selection": {},
    }
    for col in A.columns:
        a = np.asarray(A[col]).astype(int) == 1
        variants["signed"][col] = _fpr(y, p, a) - _fpr(y, p, ~a)
        variants["fp_over_n"][col] = abs((p * neg)[a].mean() - (p * neg)[~a].mean())
        variants["vs_overall"][col] = abs(_fpr(y, p, a) - p[neg].mean())
        variants["fnr"][col] = abs((1 - p)[a & ~neg].mean() - (1 - p)[~a & ~neg].mean())
        variants["selection"][col] = abs(p[a].mean() - p[~a].mean())
    return {k: pd.Series(v, dtype=float) for k, v in variants.items()}


def all_conjunctions(columns) -> list[dict]:
    """Every conjunction fixing a non-empty subset of the columns to 0 or 1."""
    out = []
    for values in itertools.product([None, 0, 1], repeat=len(columns)):
        cond = {c: v for c, v in zip(columns, values, strict=True) if v is not None}
        if cond:
            out.append(cond)
    return out


def conjunction_mask(A: pd.DataFrame, cond: dict) -> np.ndarray:
    mask = np.ones(len(A), dtype=bool)
    for col, value in cond.items():
        mask &= np.asarray(A[col]).astype(int) == int(value)
    return mask


def best_violation(y, p, A: pd.DataFrame, conds) -> float:
    return max(violation_reference(y, p, conjunction_mask(A, c)) for c in conds)


# --------------------------------------------------------------------------
# What a drawn example must satisfy
# --------------------------------------------------------------------------


def both_outcomes(y, p, A: pd.DataFrame) -> bool:
    """Whether every value of every column of A has negatives and positives."""
    y = np.asarray(y).astype(int)
    for col in A.columns:
        a = np.asarray(A[col]).astype(int)
        for value, outcome in itertools.product((0, 1), (0, 1)):
            if not ((a == value) & (y == outcome)).any():
                return False
    return True


def gaps_of_both_signs(y, p, A: pd.DataFrame) -> bool:
    """Whether one column raises the FPR and another lowers it, by MARGIN."""
    signed = marginal_variants(y, p, A)["signed"]
    return bool(signed.max() > MARGIN and signed.min() < -MARGIN)


def telling_subgroup(y, p, mask) -> bool:
    """Whether every catalogued mistake changes the subgroup's violation.

    The subgroup and the rest have negatives, the subgroup has positives too,
    and its FPR differs from the overall one by more than MARGIN.
    """
    y = np.asarray(y).astype(int)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    if not ((g & neg).any() and (~g & neg).any() and (g & ~neg).any()):
        return False
    p = np.asarray(p).astype(float)
    return abs(_fpr(y, p, g) - p[neg].mean()) > MARGIN


def subgroup_table(y, p, A: pd.DataFrame) -> list[tuple[dict, float, float]]:
    """(conditions, violation, rate gap |FPR_g - FPR|) of every subgroup that
    fixes some columns of A; the rate gap is NaN if g has no negatives.

    From the negatives and false positives of each full cell, which is much
    faster than a mask per subgroup (it only serves to validate draws).
    """
    y = np.asarray(y).astype(int)
    p = np.asarray(p).astype(float)
    bits = A.to_numpy().astype(int)
    k = bits.shape[1]
    neg = y == 0
    cell = bits[neg] @ (1 << np.arange(k))
    negatives = np.bincount(cell, minlength=2**k)
    false_pos = np.bincount(cell, weights=p[neg], minlength=2**k)
    cell_bits = (np.arange(2**k)[:, None] >> np.arange(k)) & 1
    overall = false_pos.sum() / negatives.sum()
    table = []
    for cond in all_conjunctions(list(range(k))):
        match = np.all([cell_bits[:, j] == v for j, v in cond.items()], axis=0)
        count = negatives[match].sum()
        gap = abs(false_pos[match].sum() / count - overall) if count else math.nan
        named = {A.columns[j]: v for j, v in cond.items()}
        table.append((named, count / len(y) * gap if count else 0.0, gap))
    return table


def search_needed(y, p, A: pd.DataFrame, *, by_rate_gap: bool = False) -> bool:
    """Whether the most violated subgroup beats, by MARGIN, every marginal
    group, every full cell and (if ``by_rate_gap``) every subgroup with the
    largest rate gap: searching only those finds a smaller violation."""
    table = subgroup_table(y, p, A)
    best = max(v for _, v, _ in table)
    rivals = [v for c, v, _ in table if len(c) in (1, len(A.columns))]
    if by_rate_gap:
        top = np.nanmax([gap for _, _, gap in table])
        rivals += [v for _, v, gap in table if gap >= top - 1e-12]
    return max(rivals) < best - MARGIN


def marginal_wins(y, p, A: pd.DataFrame) -> bool:
    """Whether a marginal group beats every intersection by MARGIN."""
    table = subgroup_table(y, p, A)
    marginal = max(v for c, v, _ in table if len(c) == 1)
    return all(v < marginal - MARGIN for c, v, _ in table if len(c) > 1)


def agree_example(
    rng: np.random.Generator, pair: tuple[str, str], valid: Callable[..., bool]
) -> Case:
    """:func:`draw_agree` until ``valid(y, pred, A)`` holds."""
    while True:
        case = draw_agree(rng, pair)
        if valid(*case):
            return case


def raise_lower_example(
    rng: np.random.Generator,
    valid: Callable[..., bool],
    effects: tuple[float, ...] = (0.25, -0.15, 0.0),
) -> Case:
    """:func:`draw_raise_lower` until ``valid(y, pred, A)`` holds."""
    while True:
        case = draw_raise_lower(rng, effects)
        if valid(*case):
            return case


def planted_pair_example(rng: np.random.Generator) -> Case:
    """:func:`draw_planted_pair` until only a full search finds its most
    violated subgroup (see :func:`search_needed`)."""
    while True:
        case = draw_planted_pair(rng)
        if both_outcomes(*case) and search_needed(*case, by_rate_gap=True):
            return case


# --------------------------------------------------------------------------
# Part 1: marginal_fpr_gaps
# --------------------------------------------------------------------------


@functools.cache
def fixed_marginal_cases() -> list[Case]:
    """The public checks' cases: a small one, the notebook's planted example
    and COMPAS."""
    return [
        (
            [0, 0, 0, 0, 1, 1, 0, 0],
            [1, 0, 0, 0, 1, 0, 1, 1],
            pd.DataFrame(
                {"g": [1, 1, 0, 0, 1, 0, 1, 0], "h": [1, 1, 1, 0, 0, 0, 0, 1]}
            ),
        ),
        notebook_inputs(),
        compas_inputs(),
    ]


def marginal_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, a drawn "agree" example and a drawn raise/lower
    example, the latter also with NumPy bool predictions and bool attributes."""
    agree = agree_example(rng, draw_pair_of_columns(rng), both_outcomes)
    y, pred, A = raise_lower_example(
        rng, lambda *case: both_outcomes(*case) and gaps_of_both_signs(*case)
    )
    cases = [
        *fixed_marginal_cases(),
        agree,
        (y, pred, A),
        (y, pred.astype(bool), A.astype(bool)),
    ]
    return [Call("marginal_fpr_gaps", case) for case in cases]


def _series(value, what: str) -> pd.Series:
    if isinstance(value, dict):
        value = pd.Series(value)
    if not isinstance(value, pd.Series):
        raise Fail(
            f"{what} must return a pandas Series indexed by column name; "
            f"got {type(value).__name__}"
        )
    return value


def marginal_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        y, p, A = call.args
        got = _series(value, "marginal_fpr_gaps")
        want = marginal_reference(y, p, A)
        if [str(i) for i in got.index] != [str(c) for c in A.columns]:
            raise Fail(
                "the result needs one entry per column of A, indexed by the column "
                "names, in A's column order"
            )
        try:
            values = got.to_numpy(dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("the gaps must be numbers") from error
        if np.allclose(values, want.to_numpy(), atol=1e-9, rtol=0):
            continue
        for name, variant in marginal_variants(y, p, A).items():
            if np.allclose(values, variant.to_numpy(), atol=1e-9, rtol=0):
                raise Fail(MARGINAL_HINTS[name])
        raise Fail("some gaps are wrong: |FPR(column == 1) - FPR(column == 0)|")


MARGINAL_HINTS = {
    "signed": "report the absolute value of the gap, not the signed difference",
    "fp_over_n": "the FPR divides false positives by the negatives (y_true == 0) "
    "of the group, not by the whole group",
    "vs_overall": "compare the rows with value 1 to the rows with value 0, not to "
    "the overall FPR",
    "fnr": "that is the false negative rate gap; the FPR is computed on y_true == 0",
    "selection": "that is the gap in selection rates; the FPR only counts rows "
    "with y_true == 0",
}


# --------------------------------------------------------------------------
# Part 2: subgroup_violation
# --------------------------------------------------------------------------


@functools.cache
def fixed_violation_cases() -> list[tuple]:
    """The public checks' cases, COMPAS subgroups and hand-written edge cases."""
    y_n, p_n, A_n = notebook_inputs()
    y_c, p_c, A_c = compas_inputs()
    return [
        (
            [0, 0, 0, 0, 1, 1],
            [1, 1, 0, 0, 1, 0],
            [True, True, False, False, True, False],
        ),
        ([0, 1, 1], [1, 1, 0], [False, True, True]),
        (y_n, p_n, (A_n["a"] == A_n["b"]).to_numpy()),
        (y_c, p_c, ((A_c["black"] == 1) & (A_c["female"] == 0)).to_numpy()),
        (
            pd.Series(y_c),
            pd.Series(p_c.astype(bool)),
            pd.Series((A_c["under_25"] == 1).to_numpy()),
        ),
        # A subgroup with members but no negatives.
        ([0, 0, 1, 1], [1, 0, 1, 1], [False, False, True, True]),
    ]


def agree_subgroups(rng: np.random.Generator) -> list[tuple]:
    """Where the unfair pair of a drawn "agree" example agrees, and where its
    third column is 1; both telling (see :func:`telling_subgroup`)."""
    pair = draw_pair_of_columns(rng)
    third = next(c for c in AGREE_COLUMNS if c not in pair)

    def masks(A: pd.DataFrame) -> list[np.ndarray]:
        return [(A[pair[0]] == A[pair[1]]).to_numpy(), (A[third] == 1).to_numpy()]

    y, pred, A = agree_example(
        rng, pair, lambda y, p, A: all(telling_subgroup(y, p, m) for m in masks(A))
    )
    return [(y, pred, mask) for mask in masks(A)]


def raise_lower_subgroups(rng: np.random.Generator) -> list[tuple]:
    """Where u is 1 and (as lists) where v is 1, in a drawn raise/lower example,
    both telling; then its empty subgroup and its whole population."""

    def masks(A: pd.DataFrame) -> list[np.ndarray]:
        return [(A["u"] == 1).to_numpy(), (A["v"] == 1).to_numpy()]

    y, pred, A = raise_lower_example(
        rng, lambda y, p, A: all(telling_subgroup(y, p, m) for m in masks(A))
    )
    u, v = masks(A)
    return [
        (y, pred, u),
        (list(y), list(pred), list(v)),
        # The empty subgroup and the whole population have no violation.
        (y, pred, np.zeros(len(y), dtype=bool)),
        (y, pred, np.ones(len(y), dtype=bool)),
    ]


def violation_calls(rng: np.random.Generator) -> list[Call]:
    cases = [
        *fixed_violation_cases(),
        *agree_subgroups(rng),
        *raise_lower_subgroups(rng),
    ]
    return [Call("subgroup_violation", case) for case in cases]


VIOLATION_HINTS = {
    "alpha_all_rows": "alpha(g) is the share of all rows that are in g AND have "
    "y_true == 0, not the share of rows in g",
    "alpha_share_of_negatives": "alpha(g) is a share of all rows (P(g, y = 0)), "
    "not a share of the negatives (P(g | y = 0))",
    "no_alpha": "multiply the rate gap by alpha(g), the share of rows in g with "
    "y_true == 0",
    "signed": "the violation is the absolute value alpha(g) * |FPR_g - FPR|",
    "complement": "compare FPR_g with the overall FPR, not with the FPR outside g",
    "selection_rate": "FPR_g and FPR are rates among rows with y_true == 0 only",
}


def violation_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    wrong = []  # (returned value, case) for every case answered wrongly
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        got = _number(value, "subgroup_violation")
        if math.isnan(got):
            raise Fail(
                "return 0 (not NaN) for a subgroup with no negatives: its alpha is 0"
            )
        if abs(got - violation_reference(*call.args)) > 1e-9:
            wrong.append((got, call.args))
    if not wrong:
        return
    # Name the mistake that explains every wrong answer (small cases can
    # coincide with several mistakes).
    for name, hint in VIOLATION_HINTS.items():
        explained = [
            name in variants and abs(got - variants[name]) <= 1e-9
            for got, case in wrong
            for variants in [violation_variants(*case)]
        ]
        if all(explained):
            raise Fail(hint)
    raise Fail("the violation is wrong: alpha(g) * |FPR_g - FPR|")


# --------------------------------------------------------------------------
# Part 3: most_violated_cell
# --------------------------------------------------------------------------


@functools.cache
def fixed_cell_cases() -> list[Case]:
    """The public checks' cases (a small one, the notebook's planted example),
    COMPAS, and two small ones: a classifier that flags no negative (every
    violation is 0: the answer must still name a subgroup), and a table with
    an intersection that holds no negative (its violation is 0, not anything
    else)."""
    return [
        (
            [0, 0, 0, 1, 1, 0],
            [0, 0, 0, 1, 0, 0],
            pd.DataFrame({"x": [0, 0, 1, 1, 1, 1], "z": [0, 1, 0, 1, 1, 0]}),
        ),
        (
            [0, 0, 0, 1, 1],
            [1, 0, 1, 1, 0],
            pd.DataFrame({"x": [0, 0, 1, 1, 1], "z": [0, 1, 0, 1, 1]}),
        ),
        (
            [0, 0, 0, 0, 0, 0, 1, 1],
            [1, 1, 0, 0, 0, 0, 1, 0],
            pd.DataFrame(
                {"x": [1, 1, 1, 0, 0, 0, 1, 0], "z": [1, 1, 0, 1, 0, 0, 0, 1]}
            ),
        ),
        notebook_inputs(),
        compas_inputs(),
    ]


def cell_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then three drawn examples: a planted pair, an "agree"
    example (both need a full search) and two columns of a raise/lower
    example, one raising the FPR and one neutral (the largest violation is a
    marginal group)."""

    def agree_valid(y, p, A) -> bool:
        return both_outcomes(y, p, A) and search_needed(y, p, A)

    def marginal_valid(y, p, A) -> bool:
        return both_outcomes(y, p, A) and marginal_wins(y, p, A)

    cases = [
        *fixed_cell_cases(),
        planted_pair_example(rng),
        agree_example(rng, draw_pair_of_columns(rng), agree_valid),
        raise_lower_example(rng, marginal_valid, effects=(0.25, 0.0)),
    ]
    return [Call("most_violated_cell", case) for case in cases]


def cell_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        y, p, A = call.args
        if not (isinstance(value, (list, tuple)) and len(value) == 2):
            raise Fail("most_violated_cell must return a pair (conditions, violation)")
        cond, violation = value
        if not isinstance(cond, dict) or not cond:
            raise Fail(
                "the conditions must be a non-empty dict mapping column names to 0 or 1"
            )
        columns = [str(c) for c in A.columns]
        if any(str(k) not in columns for k in cond):
            raise Fail("the conditions must use the column names of A as keys")
        try:
            cond = {str(k): int(v) for k, v in cond.items()}
        except (TypeError, ValueError) as error:
            raise Fail("each condition's value must be 0 or 1") from error
        if any(v not in (0, 1) for v in cond.values()):
            raise Fail("each condition's value must be 0 or 1")
        violation = _number(violation, "the violation")
        A_str = A.set_axis(columns, axis=1)
        own = violation_reference(y, p, conjunction_mask(A_str, cond))
        if abs(own - violation) > 1e-9:
            raise Fail(
                "the violation returned is not the violation of the subgroup your "
                "conditions describe"
            )
        conds = all_conjunctions(columns)
        best = best_violation(y, p, A_str, conds)
        if abs(violation - best) <= 1e-9:
            continue
        singles = [c for c in conds if len(c) == 1]
        full = [c for c in conds if len(c) == len(columns)]
        if abs(violation - best_violation(y, p, A_str, singles)) <= 1e-9:
            raise Fail(
                "search intersections too: a subgroup may fix two or more columns"
            )
        if abs(violation - best_violation(y, p, A_str, full)) <= 1e-9:
            raise Fail(
                "search every intersection, not only the full cells that fix all "
                "columns: a subgroup may leave some columns free"
            )
        raise Fail("a subgroup with a larger violation alpha(g) * |FPR_g - FPR| exists")


# --------------------------------------------------------------------------
# Part 4: wilson_interval
# --------------------------------------------------------------------------

WILSON_CASES = [
    (7, 20, 0.95),
    (0, 10, 0.95),
    (10, 10, 0.95),
    (1, 3, 0.9),
    (45, 1000, 0.99),
    (318, 1168, 0.95),
    (5, 50, 0.8),
    (999, 1000, 0.999),
]


def wilson(k, n, confidence, z=None):
    z = norm.ppf(0.5 + confidence / 2) if z is None else z
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def wilson_variants(k, n, confidence) -> dict[str, tuple[float, float]]:
    z = norm.ppf(0.5 + confidence / 2)
    p = k / n
    wald = z * math.sqrt(p * (1 - p) / n)
    lo, hi = wilson(k, n, confidence)
    half = (hi - lo) / 2
    return {
        "wald": (p - wald, p + wald),
        "wald_clipped": (max(p - wald, 0.0), min(p + wald, 1.0)),
        "z_196": wilson(k, n, confidence, z=1.96),
        "one_sided": wilson(k, n, confidence, z=norm.ppf(confidence)),
        "centred_at_p": (p - half, p + half),
    }


WILSON_HINTS = {
    "wald": "that is the Wald interval p +- z sqrt(p(1-p)/n); the Wilson interval "
    "is centred at (p + z^2/(2n)) / (1 + z^2/n)",
    "wald_clipped": "that is the (clipped) Wald interval, not the Wilson interval",
    "z_196": "z depends on the confidence level: it is the (1 + confidence)/2 "
    "quantile of the standard normal, not always 1.96",
    "one_sided": "use the two-sided quantile: z is the (1 + confidence)/2 quantile "
    "of the standard normal, not the confidence quantile",
    "centred_at_p": "the Wilson interval is not centred at k/n: its centre is "
    "(p + z^2/(2n)) / (1 + z^2/n)",
}


def wilson_calls() -> list[Call]:
    return [Call("wilson_interval", case) for case in WILSON_CASES] + [
        Call("wilson_interval", (7, 20))  # the default confidence is 0.95
    ]


def wilson_check(outcomes: list[Outcome]) -> None:
    cases = [*WILSON_CASES, (7, 20, 0.95)]
    for value, (k, n, conf) in zip(returned_values(outcomes), cases, strict=True):
        try:
            pair = np.asarray(value, dtype=float).ravel()
        except (TypeError, ValueError) as error:
            raise Fail("wilson_interval must return a pair (lower, upper)") from error
        if pair.shape != (2,):
            raise Fail("wilson_interval must return a pair (lower, upper)")
        want = np.asarray(wilson(k, n, conf))
        if np.allclose(pair, want, atol=1e-9, rtol=0):
            continue
        for name, variant in wilson_variants(k, n, conf).items():
            if np.allclose(pair, variant, atol=1e-9, rtol=0):
                raise Fail(WILSON_HINTS[name])
        if np.allclose(pair[::-1], want, atol=1e-9, rtol=0):
            raise Fail("return (lower, upper), in that order")
        raise Fail(f"the interval for k={k}, n={n}, confidence={conf} is wrong")


# --------------------------------------------------------------------------
# Part 5: audit_queries_needed
# --------------------------------------------------------------------------

QUERY_CASES = [
    ((0.1, 0.2, 0.5), {}),
    ((0.05, 0.2, 0.6), {}),
    ((0.02, 0.1, 0.7), {"confidence": 0.99, "power": 0.9}),
    ((0.2, 0.3, 0.4), {"confidence": 0.9, "power": 0.5}),
    ((0.03, 0.45, 0.55), {"power": 0.95}),
    ((0.05, 0.0, 1.0), {}),
]


def negatives_needed(gap, base_rate, confidence=0.95, power=0.8, *, z_a=None, z_b=None):
    p1, p2 = base_rate, base_rate + gap
    pbar = (p1 + p2) / 2
    z_a = norm.ppf(1 - (1 - confidence) / 2) if z_a is None else z_a
    z_b = norm.ppf(power) if z_b is None else z_b
    root = z_a * math.sqrt(2 * pbar * (1 - pbar)) + z_b * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return root**2 / gap**2


def queries_reference(gap, base_rate, negative_share, confidence=0.95, power=0.8):
    return math.ceil(
        negatives_needed(gap, base_rate, confidence, power) / negative_share
    )


def queries_variants(gap, base_rate, negative_share, confidence=0.95, power=0.8):
    n = negatives_needed(gap, base_rate, confidence, power)
    one_sided = negatives_needed(
        gap, base_rate, confidence, power, z_a=norm.ppf(confidence)
    )
    return {
        "no_share": n,
        "times_share": n * negative_share,
        "both_groups": 2 * n / negative_share,
        "one_sided": one_sided / negative_share,
        "power_sign": negatives_needed(
            gap, base_rate, confidence, power, z_b=norm.ppf(1 - power)
        )
        / negative_share,
    }


QUERY_HINTS = {
    "no_share": "that is the number of negatives; divide by negative_share to get "
    "the number of people to audit",
    "times_share": "divide the number of negatives by negative_share (only a share "
    "of the people audited are negatives), do not multiply",
    "both_groups": "return the number of people per group, not for both groups",
    "one_sided": "the test is two-sided: z_a is the 1 - (1 - confidence)/2 "
    "quantile of the standard normal",
    "power_sign": "z_b is the power quantile of the standard normal (about 0.84 "
    "for power 0.8), which is positive",
}


def queries_calls() -> list[Call]:
    return [Call("audit_queries_needed", a, k) for a, k in QUERY_CASES]


def queries_check(outcomes: list[Outcome]) -> None:
    for value, (args, kwargs) in zip(
        returned_values(outcomes), QUERY_CASES, strict=True
    ):
        got = _number(value, "audit_queries_needed")
        if got != round(got):
            raise Fail("return a whole number of people (round up)")
        want = queries_reference(*args, **kwargs)
        # Rounding the negatives up before dividing moves the answer up by at
        # most 1 / negative_share + 1 people; floating point, by 1 either way.
        exact = negatives_needed(*args[:2], **kwargs) / args[2]
        if want - 1 <= got <= want + 1 / args[2] + 1:
            if got < exact - 1e-6:
                raise Fail("round up, not down: the audit needs at least that many")
            continue
        slack = 1 / args[2] + 1
        for name, variant in queries_variants(*args, **kwargs).items():
            if abs(got - variant) <= slack:
                raise Fail(QUERY_HINTS[name])
        raise Fail(f"the number of people is wrong for gap={args[0]}")


# --------------------------------------------------------------------------
# Part 6: halfspace_audit
# --------------------------------------------------------------------------

#: The share of the planted subgroup's violation that an answer must reach.
HALFSPACE_SHARE = 0.8

#: The planted subgroup of every example drawn in this process, by a digest of
#: its X (the check receives the very arrays that ``halfspace_calls`` made).
_PLANTED: dict[str, np.ndarray] = {}


def _digest(X) -> str:
    return hashlib.sha256(np.ascontiguousarray(X, dtype=float).tobytes()).hexdigest()


def planted_halfspace(
    rng: np.random.Generator, offset: float, n: int, d: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``d`` independent normal columns with means in [-20, 20] and standard
    deviations in [0.2, 30]; the planted subgroup is one side of a hyperplane
    whose weights, in standard units, all have sizes 0.7 to 1.3 (so no single
    column finds it), at ``offset`` standard deviations from the centre.

    Base rate 0.3 to 0.5, TPR 0.75, FPR 0.05 to 0.15 outside the subgroup and
    0.3 to 0.4 more inside it.
    """
    X = rng.normal(rng.uniform(-20, 20, d), rng.uniform(0.2, 30, d), size=(n, d))
    w = rng.choice([-1, 1], d) * rng.uniform(0.7, 1.3, d) / X.std(axis=0)
    score = (X - X.mean(axis=0)) @ w
    planted = score / score.std() > offset
    y = (rng.random(n) < rng.uniform(0.3, 0.5)).astype(int)
    low = rng.uniform(0.05, 0.15)
    fpr = np.where(planted, low + rng.uniform(0.3, 0.4), low)
    pred = (rng.random(n) < np.where(y == 1, 0.75, fpr)).astype(int)
    return X, y, pred, planted


def notebook_halfspace(seed: int, offset: float):
    """The notebook's ``planted_halfspace(seed, offset)`` examples."""
    rng = np.random.default_rng(seed)
    n, d = 8000, 4
    X = rng.normal(rng.uniform(-20, 20, d), rng.uniform(0.2, 30, d), size=(n, d))
    w = rng.choice([-1, 1], d) * rng.uniform(0.7, 1.3, d) / X.std(axis=0)
    score = (X - X.mean(axis=0)) @ w
    planted = score / score.std() > offset
    y = (rng.random(n) < 0.4).astype(int)
    fpr = np.where(planted, 0.45, 0.1)
    pred = (rng.random(n) < np.where(y == 1, 0.75, fpr)).astype(int)
    return X, y, pred, planted


def excess_violation(y, p, mask) -> float:
    """alpha(g) |FPR_g - FPR| as |sum over g's negatives of (p - FPR)| / n."""
    negative = y == 0
    return float(abs(np.sum(p[negative & mask] - p[negative].mean())) / len(y))


def regression_direction(y, p, X, *, everyone=False, centred=True):
    """Least-squares weights and intercept of the excess false positives."""
    rows = np.ones(len(y), bool) if everyone else y == 0
    target = p[rows] - (p[y == 0].mean() if centred else 0.0)
    design = np.column_stack([X[rows], np.ones(rows.sum())])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    return coef[:-1], float(coef[-1])


def best_threshold(y, p, score) -> float:
    """The b for which {score + b > 0} has the largest violation."""
    negative = y == 0
    s = score[negative]
    order = np.argsort(-s)
    totals = np.abs(np.cumsum(p[negative][order] - p[negative].mean()))[:-1]
    k = int(np.argmax(totals))
    return float(-(s[order[k]] + s[order[k + 1]]) / 2)


def halfspace_variants(y, p, X) -> dict[str, float]:
    """The violation that each approach reaches: the reference (regression,
    then a scan of thresholds) and recognised shortcuts."""
    w, b = regression_direction(y, p, X)
    out = {
        "reference": excess_violation(y, p, X @ w + best_threshold(y, p, X @ w) > 0),
        "fitted_sign": excess_violation(y, p, X @ w + b > 0),
    }
    w_all, b_all = regression_direction(y, p, X, everyone=True)
    out["everyone"] = excess_violation(y, p, X @ w_all + b_all > 0)
    w_raw, b_raw = regression_direction(y, p, X, centred=False)
    out["uncentred"] = excess_violation(y, p, X @ w_raw + b_raw > 0)
    out["one_column"] = max(
        excess_violation(y, p, X[:, j] + best_threshold(y, p, X[:, j]) > 0)
        for j in range(X.shape[1])
    )
    return out


def halfspace_example(rng: np.random.Generator, offset: float):
    """A drawn example, redrawn until the reference reaches 90% of the planted
    subgroup's violation and every shortcut stays below 70% of it (so that the
    shortcuts fail and a correct answer has room, on every draw); through the
    centre (``offset == 0``), the regression's own cut is not a shortcut."""
    while True:
        n, d = int(rng.integers(7000, 10_001)), int(rng.integers(3, 7))
        X, y, p, planted = planted_halfspace(rng, offset, n, d)
        target = excess_violation(y, p, planted)
        found = halfspace_variants(y, p, X)
        # Through the centre, the regression's own intercept is a fine cut.
        ignored = {"reference"} if offset else {"reference", "fitted_sign"}
        shortcuts = [v for k, v in found.items() if k not in ignored]
        if found["reference"] >= 0.9 * target and max(shortcuts) <= 0.7 * target:
            _PLANTED[_digest(X)] = planted
            return y, p, X


def halfspace_calls(rng: np.random.Generator) -> list[Call]:
    """The notebook's two examples, then three drawn ones whose boundary lies
    0.5 to 1 standard deviation from the centre (twice on one side, once on
    the other: the threshold matters) and one through it."""
    cases = []
    for seed, offset in [(51, 0.0), (52, 0.8)]:
        X, y, p, planted = notebook_halfspace(seed, offset)
        _PLANTED[_digest(X)] = planted
        cases.append((y, p, X))
    sign = rng.choice([-1, 1])
    for offset in [sign * rng.uniform(0.5, 1), -sign * rng.uniform(0.5, 1), 0.0]:
        cases.append(halfspace_example(rng, float(offset)))
    return [Call("halfspace_audit", case) for case in cases]


HALFSPACE_HINTS = {
    "fitted_sign": "the regression gives a direction w; choose the threshold b "
    "separately (for example by trying every cut of the scores X @ w), since "
    "the planted boundary need not pass through the middle of the data",
    "everyone": "fit the false positives of the people with y_true == 0 only: "
    "the FPR and the violation count no one else",
    "uncentred": "regress the excess y_pred - FPR, not y_pred itself, or choose "
    "the threshold by the violation: your subgroup holds almost everyone",
    "one_column": "a half-space may weigh every column: the planted subgroup "
    "is not a threshold on a single column",
}


def halfspace_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        y, p, X = call.args
        if not (isinstance(value, (list, tuple)) and len(value) == 2):
            raise Fail("halfspace_audit must return a pair (w, b)")
        try:
            w = np.asarray(value[0], dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("w must be an array of numbers") from error
        if w.shape != (X.shape[1],) or not np.isfinite(w).all():
            raise Fail("w must hold one finite weight per column of X")
        b = _number(value[1], "the threshold b")
        if not math.isfinite(b):
            raise Fail("b must be a finite number")
        mine = excess_violation(y, p, X @ w + b > 0)
        planted = _PLANTED.get(_digest(X))
        found = halfspace_variants(y, p, X)
        target = (
            excess_violation(y, p, planted)
            if planted is not None
            else found["reference"] / 0.9
        )
        if mine >= HALFSPACE_SHARE * target:
            continue
        for name, hint in HALFSPACE_HINTS.items():
            if abs(mine - found[name]) <= 1e-9:
                raise Fail(hint)
        raise Fail(
            f"your subgroup's violation is {mine:.4f}, below 80% of the planted "
            f"subgroup's {target:.4f}"
        )


TESTS = {
    "test_marginal_fpr_gaps": Test(marginal_calls, marginal_check),
    "test_subgroup_violation": Test(violation_calls, violation_check),
    "test_most_violated_cell": Test(cell_calls, cell_check),
    "test_wilson_interval": Test(wilson_calls, wilson_check),
    "test_audit_queries_needed": Test(queries_calls, queries_check),
    "test_halfspace_audit": Test(halfspace_calls, halfspace_check),
}
