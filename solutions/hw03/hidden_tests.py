"""Hidden tests of homework 3 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw03.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises. Every answer of this
homework is deterministic (the bolt-on part asks for exact expectations), so
the checks compare with reference values at a tolerance of 1e-9 and cannot fail
a correct answer by chance: the false-failure rate is zero.

Parts 1 to 4 draw their synthetic inputs per submission from the ``rng`` the
grader passes to ``calls``: the scores, labels and groups of parts 1, 2 and 4
(with part 2's target TPRs and part 4's randomised group and p) and the random
point clouds of part 3. Their checks compute the reference answers from the
calls that were made. The public checks' cases, the COMPAS inputs and the
hand-written edge cases stay fixed, and so does all of part 5 (the FICO table
and a toy table, with chosen thresholds). Part 6 is open-ended (any policy
with the asked properties passes): its check verifies the properties on the
FICO table, toy tables and random FICO-like tables with drawn break-evens,
against the exact optimum of a convex-hull computation.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from course_lib.datasets import load_compas, load_fico
from course_lib.fairness import bolt_on_frontier, pareto_front
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

ATOL = 1e-9

#: The groups of the synthetic scores, their shares, and the fewest positives
#: and negatives every group of a draw has.
GROUPS = np.array(["u", "v", "w"])
SHARES = [0.5, 0.3, 0.2]
MIN_CLASS = 10


@functools.cache
def compas() -> pd.DataFrame:
    return load_compas(filter="propublica")


@functools.cache
def compas_scores(races: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COMPAS decile scores, two-year recidivism and race, for ``races`` only."""
    data = compas()
    data = data[data["race"].isin(list(races))]
    return (
        data["decile_score"].to_numpy(),
        data["two_year_recid"].to_numpy(),
        data["race"].astype(str).to_numpy(),
    )


def random_scores(
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores with ties, three groups of different sizes and base rates.

    The size, the base rates and the separation of the two classes are drawn
    too. Labels and groups are redrawn from ``rng`` until every group has at
    least ``MIN_CLASS`` positives and negatives, so that every group's TPR and
    FPR are defined.

    Returns
    -------
    scores : ndarray of float
        Rounded to one decimal, so that many are tied.
    y : ndarray of int
        Labels, 0 or 1.
    groups : ndarray of str
        ``"u"``, ``"v"`` or ``"w"``.
    """
    n = int(rng.integers(500, 801))
    base_rates = rng.uniform(0.25, 0.65, size=len(GROUPS))
    while True:
        index = rng.choice(len(GROUPS), size=n, p=SHARES)
        y = rng.random(n) < base_rates[index]
        if all(
            min((y & (index == k)).sum(), (~y & (index == k)).sum()) >= MIN_CLASS
            for k in range(len(GROUPS))
        ):
            break
    separation = rng.uniform(0.5, 1.5)
    scores = np.round(rng.normal(y * separation, 1.0), 1)
    return scores, y.astype(int), GROUPS[index]


SMALL = (
    [0.9, 0.8, 0.8, 0.3, 0.1, 0.7, 0.6, 0.6, 0.2],
    [1, 1, 0, 1, 0, 1, 0, 1, 0],
    ["a", "a", "a", "a", "a", "b", "b", "b", "b"],
)


def _close(got, want, atol: float = ATOL) -> bool:
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and np.allclose(got, want, atol=atol, rtol=0)


# --------------------------------------------------------------------------
# Part 1: roc_points
# --------------------------------------------------------------------------


def roc_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public check's case, COMPAS, and two draws (as lists and as Series)."""
    listed = random_scores(rng)
    series = random_scores(rng)
    return [
        SMALL,
        compas_scores(("African-American", "Caucasian", "Hispanic")),
        tuple(list(column) for column in listed),
        tuple(pd.Series(column) for column in series),
    ]


def roc_reference(scores, y_true, groups) -> pd.DataFrame:
    """One row per (group, distinct score), with the right and wrong rates."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups).astype(str)
    rows = []
    for label in sorted(set(g.tolist())):
        m = g == label
        for t in np.unique(s[m]):
            sel, gt = m & (s >= t), m & (s > t)
            rows.append(
                {
                    "group": label,
                    "threshold": float(t),
                    "tpr": (sel & y).sum() / (m & y).sum(),
                    "fpr": (sel & ~y).sum() / (m & ~y).sum(),
                    "tpr_gt": (gt & y).sum() / (m & y).sum(),
                    "fpr_gt": (gt & ~y).sum() / (m & ~y).sum(),
                    "tpr_all": (sel & y).sum() / y.sum(),
                    "fpr_all": (sel & ~y).sum() / (~y).sum(),
                    "fpr_n": (sel & ~y).sum() / m.sum(),
                }
            )
    return pd.DataFrame(rows).set_index(["group", "threshold"]).sort_index()


def roc_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("roc_points", args) for args in roc_inputs(rng)]


def roc_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        if not isinstance(value, pd.DataFrame):
            raise Fail(
                f"roc_points must return a DataFrame; got {type(value).__name__}"
            )
        got = value.reset_index() if "group" not in value.columns else value
        missing = [c for c in ("group", "threshold", "tpr", "fpr") if c not in got]
        if missing:
            raise Fail(
                f"the result needs the columns group, threshold, tpr, fpr; missing {missing}"
            )
        want = roc_reference(*call.args)
        got = pd.DataFrame(
            {
                "group": got["group"].astype(str).to_numpy(),
                "threshold": np.asarray(got["threshold"], dtype=float),
                "tpr": np.asarray(got["tpr"], dtype=float),
                "fpr": np.asarray(got["fpr"], dtype=float),
            }
        )
        if got.duplicated(["group", "threshold"]).any():
            raise Fail("give exactly one row per (group, threshold)")
        got = got.set_index(["group", "threshold"]).sort_index()
        if not got.index.equals(want.index):
            if want.index.isin(got.index).all():
                raise Fail(
                    "use as thresholds only the score values that occur in each group"
                )
            raise Fail(
                "give one row for every group and every distinct score value of that group"
            )
        for column in ("tpr", "fpr"):
            if not _close(got[column], want[column]):
                raise Fail(_roc_hint(column, got, want))


def _roc_hint(column: str, got: pd.DataFrame, want: pd.DataFrame) -> str:
    """The hint for a wrong ``column`` of roc_points: a known mistake's first."""
    if _close(got["tpr"], want["fpr"]) and _close(got["fpr"], want["tpr"]):
        return "your TPR and FPR look swapped"
    if _close(got[column], want[f"{column}_gt"]):
        return "the rule predicts 1 when score >= threshold (not >)"
    if _close(got[column], want[f"{column}_all"]):
        return (
            "compute each group's rates within the group: divide by the "
            "group's own positives (or negatives), not by the whole data's"
        )
    if column == "fpr" and _close(got["fpr"], want["fpr_n"]):
        return (
            "the FPR divides false positives by the group's negatives "
            "(y_true == 0), not by the whole group"
        )
    return f"the column {column!r} has wrong values"


# --------------------------------------------------------------------------
# Part 2: thresholds_for_equal_tpr
# --------------------------------------------------------------------------


def target_tpr(
    rng: np.random.Generator, low: float, high: float, y: np.ndarray, groups: np.ndarray
) -> float:
    """A target TPR in [low, high) that no group reaches exactly.

    Redrawn from ``rng`` until target * (positives of the group) is at least
    1e-6 from a whole number in every group, so that float rounding cannot
    decide whether a threshold reaches the target.
    """
    positives = np.array([(y.astype(bool) & (groups == g)).sum() for g in GROUPS])
    while True:
        target = float(rng.uniform(low, high))
        needed = target * positives
        if np.all(np.abs(needed - np.round(needed)) > 1e-6):
            return target


#: Group "a" has 25 positives with distinct scores (0.99 down to 0.51) and five
#: negatives; group "b" has three positives and three negatives.
EXACT_TARGETS = (
    [round(0.99 - 0.02 * k, 2) for k in range(25)]
    + [0.88, 0.72, 0.58, 0.3, 0.2]
    + [0.9, 0.6, 0.4, 0.7, 0.5, 0.1],
    [1] * 25 + [0] * 5 + [1, 1, 1, 0, 0, 0],
    ["a"] * 30 + ["b"] * 6,
)


def tpr_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public check's case, COMPAS, and two draws with drawn targets."""
    compas_args = compas_scores(("African-American", "Caucasian"))
    scores, y, groups = random_scores(rng)
    scores2, y2, groups2 = random_scores(rng)
    return [
        (*SMALL, 0.5),
        (*SMALL, 0.75),
        (*SMALL, 1.0),
        (*compas_args, 0.6),
        (*compas_args, 0.8),
        (scores, y, groups, target_tpr(rng, 0.3, 0.7, y, groups)),
        (
            list(scores2),
            list(y2),
            list(groups2),
            target_tpr(rng, 0.8, 0.97, y2, groups2),
        ),
        (scores, y, groups, target_tpr(rng, 0.02, 0.1, y, groups)),
        # Targets reached exactly: 7 and 14 of 25 positives (0.28 * 25 is
        # 7.000000000000001 in floats, so ceil() without a tolerance asks for an
        # 8th positive), and a target so small that one positive is enough.
        (*EXACT_TARGETS, 0.28),
        (*EXACT_TARGETS, 0.56),
        (*EXACT_TARGETS, 1e-10),
    ]


def _tpr_fpr(s, y, m, t) -> tuple[float, float]:
    sel = m & (s >= t)
    return (sel & y).sum() / (m & y).sum(), (sel & ~y).sum() / (m & ~y).sum()


def tpr_reference(scores, y_true, groups, target) -> dict[str, float]:
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups).astype(str)
    best = {}
    for label in sorted(set(g.tolist())):
        m = g == label
        ok = [t for t in np.unique(s[m]) if _tpr_fpr(s, y, m, t)[0] >= target - 1e-12]
        best[label] = float(max(ok))
    return best


def _as_mapping(value) -> dict[str, float]:
    if isinstance(value, pd.Series):
        keys, values = value.index, value.to_numpy()
    elif isinstance(value, dict):
        keys, values = list(value), list(value.values())
    else:
        raise Fail(
            "thresholds_for_equal_tpr must return a pandas Series indexed by group; "
            f"got {type(value).__name__}"
        )
    try:
        return {str(k): float(v) for k, v in zip(keys, values, strict=True)}
    except (TypeError, ValueError) as error:
        raise Fail("the thresholds must be numbers") from error


def tpr_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("thresholds_for_equal_tpr", args) for args in tpr_inputs(rng)]


def tpr_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        got = _as_mapping(value)
        scores, y_true, groups, target = call.args
        want = tpr_reference(*call.args)
        if sorted(got) != sorted(want):
            raise Fail("return one threshold for every group, indexed by group label")
        s = np.asarray(scores, dtype=float)
        y = np.asarray(y_true).astype(bool)
        g = np.asarray(groups).astype(str)
        for label, t_want in want.items():
            m = g == label
            t_got = got[label]
            if np.isnan(t_got):
                raise Fail("a threshold is NaN")
            tpr_got, fpr_got = _tpr_fpr(s, y, m, t_got)
            tpr_want, fpr_want = _tpr_fpr(s, y, m, t_want)
            if tpr_got == tpr_want and fpr_got == fpr_want:
                continue
            if tpr_got < target - 1e-12:
                raise Fail(
                    "in every group the rule score >= threshold must reach a true "
                    "positive rate of at least target_tpr"
                )
            raise Fail(
                "choose the highest threshold that reaches the target TPR, so that "
                "no more people than needed are selected"
            )


# --------------------------------------------------------------------------
# Part 3: pareto_mask
# --------------------------------------------------------------------------


def grid_points(rng: np.random.Generator) -> np.ndarray:
    """Points on a small integer grid: many ties, and a duplicated front point.

    One point of the front is copied (and the rows shuffled), so that every
    draw has equal non-dominated points, which must all be kept.
    """
    n = int(rng.integers(200, 401))
    size = int(rng.integers(5, 11))
    grid = rng.integers(0, size, size=(n, 2)).astype(float)
    front = np.flatnonzero(pareto_front(grid))
    grid = np.vstack([grid, grid[rng.choice(front)]])
    return grid[rng.permutation(len(grid))]


def band_points(rng: np.random.Generator) -> np.ndarray:
    """Points near the line x + y = 1: a long front, and many dominated points."""
    n = int(rng.integers(300, 601))
    x = rng.random(n)
    return np.column_stack([x, 1 - x + np.abs(rng.normal(0, 0.05, n))])


def pareto_inputs(rng: np.random.Generator) -> list:
    """The public checks' cases, edge cases, and three drawn clouds of points."""
    anti = np.column_stack([np.linspace(0, 1, 50), np.linspace(1, 0, 50)])
    return [
        [[0.1, 0.3], [0.2, 0.1], [0.3, 0.2], [0.1, 0.3]],
        [[1.0, 2.0], [1.0, 3.0]],
        [[1.0, 2.0], [1.0, 3.0], [2.0, 1.0], [3.0, 1.0], [0.5, 5.0]],
        grid_points(rng),
        rng.random((int(rng.integers(500, 1001)), 2)),
        band_points(rng),
        anti,
        np.vstack([anti, anti[::-1]]),
        [[0.4, 0.4]],
        np.full((5, 2), 0.2),
    ]


def pareto_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("pareto_mask", (pts,)) for pts in pareto_inputs(rng)]


def _strict_mask(pts: np.ndarray) -> np.ndarray:
    lt = (pts[None, :, :] < pts[:, None, :]).all(axis=2)
    return ~lt.any(axis=1)


def _weak_mask(pts: np.ndarray) -> np.ndarray:
    le = (pts[None, :, :] <= pts[:, None, :]).all(axis=2)
    np.fill_diagonal(le, False)
    return ~le.any(axis=1)


def pareto_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        pts = np.asarray(call.args[0], dtype=float)
        got = np.asarray(value)
        if got.dtype.kind != "b":
            if got.dtype.kind in "iu" and got.ndim == 1 and len(got) != len(pts):
                raise Fail(
                    "return a boolean mask with one entry per point, not the "
                    "indices of the front"
                )
            if got.dtype.kind in "iu" and set(np.unique(got).tolist()) <= {0, 1}:
                got = got.astype(bool)
            else:
                raise Fail("pareto_mask must return an array of booleans")
        if got.shape != (len(pts),):
            raise Fail("return one boolean per point (shape (n,))")
        want = pareto_front(pts)
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, pareto_front(pts, minimize=False)):
            raise Fail("both coordinates are to be minimised (smaller is better)")
        if np.array_equal(got, _strict_mask(pts)):
            raise Fail(
                "a point is dominated by one that is at least as good in both "
                "coordinates and strictly better in one (not only by one that is "
                "strictly better in both)"
            )
        if np.array_equal(got, _weak_mask(pts)):
            raise Fail(
                "equal points do not dominate each other: keep duplicates of a "
                "non-dominated point"
            )
        raise Fail("some points are wrongly marked")


# --------------------------------------------------------------------------
# Part 4: bolt_on_error_unfairness
# --------------------------------------------------------------------------


def random_bolt_on(rng: np.random.Generator) -> tuple:
    """Labels, predictions and groups of :func:`random_scores`, a group and a p.

    The predictions threshold the scores at a drawn cut; p is drawn away from
    1/2 (where replacing with probability p or 1 - p would agree).
    """
    scores, y, groups = random_scores(rng)
    pred = (scores > rng.uniform(0.0, 1.0)).astype(int)
    p = float(rng.uniform(0.1, 0.4))
    return y, pred, groups, str(rng.choice(GROUPS)), p if rng.random() < 0.5 else 1 - p


def bolt_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public checks' cases, COMPAS, and two draws (as arrays and as Series)."""
    score, y, race = compas_scores(("African-American", "Caucasian"))
    pred = (score >= 5).astype(int)
    small = ([0, 0, 1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 0, 0, 1, 0], list("aaaabbbb"))
    y3, pred3, g3, group3, p3 = random_bolt_on(rng)
    y4, pred4, g4, group4, p4 = random_bolt_on(rng)
    return [
        (*small, "b", 0.5),
        (*small, "b", 0.0),
        (*small, "a", 1.0),
        (y, pred, race, "Caucasian", 0.3),
        (y, pred, race, "Caucasian", 0.7),
        (list(y), list(pred.astype(bool)), list(race), "African-American", 0.2),
        (y3, pred3, g3, group3, p3),
        (pd.Series(y4), pd.Series(pred4), pd.Series(g4), group4, p4),
    ]


def bolt_reference(y_true, y_pred, groups, group, p, metric="fpr", rate=0.5):
    frame = bolt_on_frontier(
        np.asarray(y_true).astype(int),
        np.asarray(y_pred).astype(int),
        sensitive_features=np.asarray(groups).astype(str),
        group=group,
        ps=[p],
        replacement_rate=rate,
        metric=metric,
    )
    return float(frame["error"].iloc[0]), float(frame["unfairness"].iloc[0])


def bolt_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("bolt_on_error_unfairness", args) for args in bolt_inputs(rng)]


def bolt_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        args = call.args
        try:
            got = [float(v) for v in value]
        except (TypeError, ValueError) as error:
            raise Fail(
                "bolt_on_error_unfairness must return a pair of numbers "
                "(error, unfairness)"
            ) from error
        if len(got) != 2:
            raise Fail("return exactly two numbers: (error, unfairness)")
        want = bolt_reference(*args)
        if _close(got, want):
            continue
        y, pred, groups, group, p = args
        if _close(got, bolt_reference(y, pred, groups, group, 1 - p)):
            raise Fail(
                "p is the probability of REPLACING a prediction by a coin flip, "
                "not of keeping it"
            )
        if _close(got[1], bolt_reference(*args, metric="selection_rate")[1]):
            raise Fail(
                "unfairness is the gap in false positive rates, not in selection rates"
            )
        if _close(got[0], want[0]) and not _close(got[1], want[1]):
            raise Fail(
                "the error is right but the unfairness is not: it is the largest "
                "minus the smallest expected group false positive rate"
            )
        if np.allclose(got, want, atol=0.05):
            raise Fail(
                "compute the expected values exactly (in closed form), not by "
                "simulating coin flips"
            )
        raise Fail("the expected error or unfairness is wrong")


# --------------------------------------------------------------------------
# Part 5: profit_by_threshold
# --------------------------------------------------------------------------

MAX_PROFIT = {"White": 40.0, "Black": 48.0, "Hispanic": 45.5, "Asian": 38.0}


@functools.cache
def toy_fico() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "score": [10.0, 50.0, 90.0, 10.0, 50.0, 90.0],
            "group": ["p", "p", "p", "q", "q", "q"],
            "cdf": [0.2, 0.7, 1.0, 0.5, 0.9, 1.0],
            "non_default_rate": [0.3, 0.8, 0.95, 0.4, 0.85, 0.9],
            "group_size": [1000, 1000, 1000, 200, 200, 200],
        }
    )


@functools.cache
def profit_inputs() -> list[tuple]:
    """(fico, thresholds, break_even); None for break_even leaves the default."""
    fico = load_fico()
    every = dict.fromkeys(MAX_PROFIT, 41.0)
    return [
        (toy_fico(), {"p": 90.0, "q": 90.0}, None),
        (fico, dict.fromkeys(MAX_PROFIT, 0.0), None),
        (toy_fico(), {"p": 50.0, "q": 10.0}, 0.82),
        (toy_fico(), {"p": 90.0, "q": 50.0}, 0.5),
        (fico, MAX_PROFIT, 0.82),
        (fico, every, 0.82),
        (fico, {**MAX_PROFIT, "Asian": 101.0, "White": 0.0}, 0.82),
        (fico, MAX_PROFIT, 0.6),
    ]


def profit_reference(fico, thresholds, break_even, *, mistake=None) -> float:
    break_even = 0.82 if break_even is None else break_even
    frame = fico.copy()
    frame["group"] = frame["group"].astype(str)
    pdf = frame.groupby("group")["cdf"].diff().fillna(frame["cdf"])
    if mistake == "cdf":
        pdf = frame["cdf"]
    elif mistake == "diff_across_groups":
        pdf = frame["cdf"].diff().fillna(frame["cdf"])
    people = pdf if mistake == "no_size" else pdf * frame["group_size"]
    t = frame["group"].map(thresholds).astype(float)
    accept = frame["score"] > t if mistake == "strict" else frame["score"] >= t
    r = frame["non_default_rate"]
    gain = r - (1 - r) if mistake == "plus_minus_one" else r - break_even
    return float((people * gain)[accept].sum())


def profit_calls() -> list[Call]:
    return [
        Call("profit_by_threshold", (f, t), {} if b is None else {"break_even": b})
        for f, t, b in profit_inputs()
    ]


def profit_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(returned_values(outcomes), profit_inputs(), strict=True):
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("profit_by_threshold must return a number") from error
        want = profit_reference(*args)
        if np.isclose(got, want, rtol=1e-9, atol=1e-6):
            continue
        fico, thresholds, break_even = args
        hints = {
            "cdf": "the number of people at a score comes from the jump of the cdf "
            "(its difference from the previous score), not the cdf itself",
            "diff_across_groups": "difference the cdf within each group: the first "
            "score of a group has cdf itself as its share",
            "no_size": "multiply each score's share by the group's size to count people",
            "strict": "accept people whose score is >= the threshold (not >)",
            "plus_minus_one": "a repaid loan earns 1 - break_even and a default "
            "costs break_even",
        }
        for mistake, hint in hints.items():
            if np.isclose(
                got,
                profit_reference(fico, thresholds, break_even, mistake=mistake),
                rtol=1e-9,
                atol=1e-6,
            ):
                raise Fail(hint)
        if break_even not in (None, 0.82) and np.isclose(
            got, profit_reference(fico, thresholds, 0.82), rtol=1e-9, atol=1e-6
        ):
            raise Fail("use the break_even argument instead of 0.82")
        raise Fail("the profit is wrong")


# --------------------------------------------------------------------------
# Part 6: equal_opportunity_policy
# --------------------------------------------------------------------------

#: Group names of the random FICO-like tables.
TABLE_GROUPS = np.array(["Amber", "Blue", "Coral", "Dune"])


def random_fico(rng: np.random.Generator, categorical: bool) -> pd.DataFrame:
    """A FICO-like table: 2 to 4 groups on one score grid, sorted by group, score.

    Each group's score distribution is a Dirichlet draw with about a tenth of
    its cells empty (cdf jumps of zero), and its repayment rate is a logistic
    curve of the score plus N(0, 0.08) noise, so that it is far from monotone
    and the groups' ROC curves are not concave: a threshold rule that does not
    randomise between non-adjacent thresholds (the convex hull) loses profit.
    """
    n_groups = int(rng.integers(2, 5))
    names = np.sort(rng.choice(TABLE_GROUPS, size=n_groups, replace=False))
    step = float(rng.choice([2.0, 2.5, 5.0]))
    grid = np.arange(0.0, 100.0 + step / 2, step)
    frames = []
    for name in names:
        share = rng.dirichlet(np.full(len(grid), 0.8))
        share[rng.random(len(grid)) < 0.1] = 0.0
        cdf = np.cumsum(share) / share.sum()
        cdf[-1] = 1.0
        slope, middle = rng.uniform(0.04, 0.12), rng.uniform(30, 70)
        curve = 1 / (1 + np.exp(-slope * (grid - middle)))
        rate = np.clip(curve + rng.normal(0, 0.08, len(grid)), 0.005, 0.995)
        frames.append(
            pd.DataFrame(
                {
                    "score": grid,
                    "group": name,
                    "cdf": cdf,
                    "non_default_rate": rate,
                    "group_size": int(rng.integers(500, 100_001)),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    if categorical:
        table["group"] = table["group"].astype("category")
    return table


def fico_cells(fico: pd.DataFrame, *, sized: bool = True) -> pd.DataFrame:
    """Group label, expected people and repaid of every row (the row order kept)."""
    group = fico["group"].astype(str)
    share = fico["cdf"] - fico["cdf"].groupby(group).shift(1, fill_value=0.0)
    people = share * fico["group_size"] if sized else share
    return pd.DataFrame(
        {
            "group": group,
            "people": people.to_numpy(dtype=float),
            "repaid": (people * fico["non_default_rate"]).to_numpy(dtype=float),
        }
    )


def _lower_hull(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the lower convex hull of the points (x[k], y[k]), x non-decreasing."""
    hull: list[int] = []
    for k in range(len(x)):
        while len(hull) >= 2:
            i, j = hull[-2], hull[-1]
            if (y[j] - y[i]) * (x[k] - x[i]) >= (y[k] - y[i]) * (x[j] - x[i]):
                hull.pop()
            else:
                break
        hull.append(k)
    return np.array([k for n, k in enumerate(hull) if n == 0 or x[k] > x[hull[n - 1]]])


def eo_best_profit(
    fico: pd.DataFrame, break_even: float, *, hull: bool = True
) -> float:
    """The largest profit of a randomised threshold policy with equal TPRs.

    A group's best profit at TPR tau is linear between the vertices of the lower
    convex hull of its points (repaid, defaulted) of the rules "score >= t"
    (``hull=False``: between consecutive rules, the best policy that only
    randomises within one score cell); the total is piecewise linear in tau, so
    its maximum is at one of the vertices.
    """
    cells = fico_cells(fico)
    curves = []
    for _, rows in cells.groupby("group", sort=False):
        rows = rows[::-1]  # highest score first
        tp = np.r_[0.0, np.cumsum(rows["repaid"])]
        fp = np.r_[0.0, np.cumsum(rows["people"] - rows["repaid"])]
        keep = _lower_hull(tp, fp) if hull else _lower_hull_free(tp)
        gain = (1 - break_even) * tp[keep] - break_even * fp[keep]
        curves.append((tp[keep] / tp[-1], gain))
    corners = np.unique(np.concatenate([x for x, _ in curves]))
    return float(max(sum(np.interp(corners, x, gain) for x, gain in curves)))


def _lower_hull_free(tp: np.ndarray) -> np.ndarray:
    """Every rule whose TPR is larger than the previous one's (no hull)."""
    return np.array([k for k in range(len(tp)) if k == 0 or tp[k] > tp[k - 1]])


def toy_variant(rates: list[float], sizes: tuple[int, int]) -> pd.DataFrame:
    """Part 5's toy table with other repayment rates and group sizes."""
    toy = toy_fico().copy()
    toy["non_default_rate"] = rates
    toy["group_size"] = [sizes[0]] * 3 + [sizes[1]] * 3
    return toy


def eo_inputs(rng: np.random.Generator) -> list[tuple]:
    """(fico, break_even); None for break_even leaves the default.

    Besides ``fico``, part 5's toy table and random tables: a toy table whose
    top cell repays less than the next (its first ROC point is off the hull,
    so that the best policy mixes the rules above 90 and above 50), and one of
    18 people where the best profit is small (0.079 at break-even 0.9) or zero
    (lend to no one at 0.97), so that a policy that miscounts the rule that
    accepts no one (the origin of the hull) loses; and a toy table whose
    lowest cell repays nothing, at a break-even of 0.2, where the best policy
    lends to every repayer (common TPR 1) but not to that cell.
    """
    fico = load_fico()
    tiny = toy_variant([0.3, 0.8, 0.95, 0.4, 0.85, 0.9], (10, 8))
    return [
        (fico, None),
        (toy_fico(), 0.82),
        (toy_fico(), 0.5),
        (toy_variant([0.3, 0.95, 0.85, 0.4, 0.85, 0.9], (1000, 200)), 0.82),
        (tiny, 0.9),
        (tiny, 0.97),
        (toy_variant([0.0, 0.8, 0.95, 0.4, 0.85, 0.9], (1000, 200)), 0.2),
        (fico, 0.7),
        (random_fico(rng, categorical=False), float(rng.uniform(0.6, 0.9))),
        (random_fico(rng, categorical=True), float(rng.uniform(0.6, 0.9))),
        (random_fico(rng, categorical=False), None),
        # A high break-even puts the best common TPR low, on the first segments of
        # the groups' hulls, where the top score cells decide.
        (random_fico(rng, categorical=True), float(rng.uniform(0.9, 0.97))),
        (random_fico(rng, categorical=False), float(rng.uniform(0.9, 0.97))),
    ]


def eo_calls(rng: np.random.Generator) -> list[Call]:
    return [
        Call("equal_opportunity_policy", (f,), {} if b is None else {"break_even": b})
        for f, b in eo_inputs(rng)
    ]


def eo_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """Check the properties the part asks for, so that any correct method passes.

    The returned probabilities must lie in [0, 1], not decrease with the score
    within a group, give every group the same expected TPR (to 1e-6), and earn
    at least the largest profit of such a policy minus 1e-7 of the table's
    total stake (the sum of |people x (rate - break_even)|). The reference is
    exact, so the false-failure rate is zero.
    """
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        _check_eo_policy(value, call.args[0], call.kwargs.get("break_even", 0.82))


def _check_eo_policy(value: object, fico: pd.DataFrame, break_even: float) -> None:
    accept = _eo_probabilities(value, len(fico))
    cells = fico_cells(fico)
    for _, rows in pd.Series(accept).groupby(cells["group"], sort=False):
        if (np.diff(rows.to_numpy()) < -1e-6).any():
            raise Fail(
                "within a group the acceptance probability must not decrease as "
                "the score rises (a randomised threshold)"
            )
    tp = pd.Series(accept * cells["repaid"]).groupby(cells["group"]).sum()
    tpr = tp / cells.groupby("group")["repaid"].sum()
    if tpr.max() - tpr.min() > 1e-6:
        if ((accept > 1e-9) & (accept < 1 - 1e-9)).sum() == 0:
            raise Fail(
                "the true positive rates differ between groups: without "
                "randomising, group thresholds cannot equalise them exactly"
            )
        raise Fail("every group must have the same (expected) true positive rate")
    stake = float(
        np.abs(cells["people"] * (fico["non_default_rate"] - break_even)).sum()
    )
    got = float(
        (accept * cells["people"] * (fico["non_default_rate"] - break_even)).sum()
    )
    best = eo_best_profit(fico, break_even)
    if got >= best - 1e-7 * stake:
        return
    if break_even != 0.82 and np.isclose(got, _profit_at_best(fico, 0.82, break_even)):
        raise Fail("use the break_even argument instead of 0.82")
    if got >= eo_best_profit(fico, break_even, hull=False) - 1e-7 * stake:
        raise Fail(
            "equal TPRs, but not the most profitable policy: randomising between "
            "two thresholds that are not neighbours (the ROC curve's convex hull) "
            "can earn more"
        )
    raise Fail("equal TPRs, but not the most profitable policy")


def _eo_probabilities(value: object, n: int) -> np.ndarray:
    """The returned acceptance probabilities: ``n`` finite numbers in [0, 1]."""
    try:
        accept = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError) as error:
        raise Fail("return one acceptance probability (a number) per row") from error
    if accept.shape != (n,):
        raise Fail(f"return {n} probabilities, one per row of the table")
    if not np.isfinite(accept).all():
        raise Fail("a probability is NaN or infinite")
    if accept.min() < -1e-9 or accept.max() > 1 + 1e-9:
        raise Fail("acceptance probabilities must lie between 0 and 1")
    return accept


def _profit_at_best(fico: pd.DataFrame, assumed: float, actual: float) -> float:
    """Profit at break-even ``actual`` of the policy that is best for ``assumed``."""
    accept = eo_policy(fico, assumed)
    cells = fico_cells(fico)
    return float((accept * cells["people"] * (fico["non_default_rate"] - actual)).sum())


def eo_policy(fico: pd.DataFrame, break_even: float) -> np.ndarray:
    """The reference policy: hull vertices, best common TPR, one mixed segment."""
    cells = fico_cells(fico)
    groups = {}
    for label, rows in cells.groupby("group", sort=False):
        index = rows.index.to_numpy()[::-1]
        tp = np.r_[0.0, np.cumsum(rows["repaid"].to_numpy()[::-1])]
        fp = np.r_[0.0, np.cumsum((rows["people"] - rows["repaid"]).to_numpy()[::-1])]
        keep = _lower_hull(tp, fp)
        groups[label] = (
            index,
            keep,
            tp[keep] / tp[-1],
            (1 - break_even) * tp[keep] - break_even * fp[keep],
        )
    corners = np.unique(np.concatenate([x for _, _, x, _ in groups.values()]))
    total = sum(np.interp(corners, x, gain) for _, _, x, gain in groups.values())
    tau = corners[np.argmax(total)]
    accept = np.zeros(len(fico))
    for index, keep, x, _ in groups.values():
        i = min(int(np.searchsorted(x, tau, side="right")) - 1, len(keep) - 2)
        accept[index[: keep[i]]] = 1.0
        accept[index[keep[i] : keep[i + 1]]] = (tau - x[i]) / (x[i + 1] - x[i])
    return accept


TESTS = {
    "test_roc_points": Test(roc_calls, roc_check),
    "test_thresholds_for_equal_tpr": Test(tpr_calls, tpr_check),
    "test_pareto_mask": Test(pareto_calls, pareto_check),
    "test_bolt_on_error_unfairness": Test(bolt_calls, bolt_check),
    "test_profit_by_threshold": Test(profit_calls, profit_check),
    "test_equal_opportunity_policy": Test(eo_calls, eo_check),
}
