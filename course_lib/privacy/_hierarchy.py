"""Noisy hierarchical counts made consistent: the idea of the Census TopDown algorithm.

The 2020 US Census published its counts with differential privacy through
the *TopDown* algorithm (Abowd et al. 2022): noisy counts are measured at
every level of the geography (nation, state, county, tract, ...), then
post-processed from the top down so that the released numbers are
non-negative integers and every unit's children add up to it. This module is
a small, faithful model of that idea for a single count per unit.

Data layout. A geography is a DataFrame of *leaf* counts with one column per
level, coarsest first, and a ``count`` column, for example columns
``["state", "county", "tract", "count"]``. A leaf is identified by all its
level columns together, so names only need to be unique within their parent.

The functions return one tidy DataFrame holding every unit of every level,
the national total first (level ``"total"``, depth 0), then the units of
``levels[0]`` (depth 1) and so on. Its columns are ``level``, ``depth``, the
level columns (missing, ``NaN``, below a unit's own depth), and the counts:
``count`` (:func:`hierarchy_counts`), ``noisy`` (:func:`noisy_hierarchy`),
``consistent`` (added by :func:`consistent_counts`). Rows are sorted by depth
and then by the level columns, in the same order in all three, so their
columns can be compared by position.

Everything is vectorised: each level costs one groupby, one ``bincount`` or
one sort, whatever the number of units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from course_lib._checks import (
    check_int,
    check_positive,
    check_probability,
    check_real,
    check_rng,
)
from course_lib.privacy._accounting import gaussian_sigma_for_zcdp, rho_for_dp
from course_lib.privacy._mechanisms import laplace_mechanism

__all__ = [
    "consistent_counts",
    "hierarchy_counts",
    "noisy_hierarchy",
    "synthetic_geography",
]

ROOT_LEVEL = "total"
"""Name of the depth-0 level (the grand total) in the returned frames."""


# ---------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------


def _check_levels(
    frame: pd.DataFrame, levels: Sequence[str], *, what: str
) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{what} must be a pandas DataFrame; got {type(frame).__name__}"
        )
    if isinstance(levels, str) or not isinstance(levels, Sequence) or len(levels) == 0:
        raise ValueError(
            f"levels must be a non-empty list of column names; got {levels!r}"
        )
    levels = list(levels)
    if len(set(levels)) != len(levels):
        raise ValueError(f"levels must not repeat a column; got {levels!r}")
    missing = [c for c in levels if c not in frame.columns]
    if missing:
        raise ValueError(
            f"levels must be columns of {what}; got {missing!r}, which are not among "
            f"{list(frame.columns)!r}"
        )
    if ROOT_LEVEL in levels or "level" in levels or "depth" in levels:
        raise ValueError(
            f"levels must not be named 'level', 'depth' or {ROOT_LEVEL!r}; got {levels!r}"
        )
    return levels


def hierarchy_counts(leaves: pd.DataFrame, levels: Sequence[str]) -> pd.DataFrame:
    """True counts at every level of a geography (no privacy: for comparison).

    Parameters
    ----------
    leaves : pandas.DataFrame
        One row per leaf unit, with the ``levels`` columns and a ``count``
        column of non-negative integers.
    levels : sequence of str
        The level columns, coarsest first.

    Returns
    -------
    pandas.DataFrame
        Columns ``level``, ``depth``, the level columns and ``count``; one
        row per unit of every level, the total first (see the module
        docstring for the layout).

    Raises
    ------
    ValueError
        If a level column or ``count`` is missing, a count is negative, not an
        integer or missing, a level value is missing, or two rows describe
        the same leaf.
    TypeError
        If ``leaves`` is not a DataFrame.

    Examples
    --------
    >>> leaves = pd.DataFrame({"state": ["A", "A", "B"], "county": ["x", "y", "x"],
    ...                        "count": [3, 4, 10]})
    >>> hierarchy_counts(leaves, ["state", "county"])
        level  depth state county  count
    0   total      0   NaN    NaN     17
    1   state      1     A    NaN      7
    2   state      1     B    NaN     10
    3  county      2     A      x      3
    4  county      2     A      y      4
    5  county      2     B      x     10
    """
    levels = _check_levels(leaves, levels, what="leaves")
    if "count" not in leaves.columns:
        raise ValueError(
            f"leaves must have a 'count' column; got columns {list(leaves.columns)!r}"
        )
    counts = leaves["count"].to_numpy()
    if counts.dtype.kind not in "iuf" or (
        counts.size and not np.all(np.isfinite(counts) & (counts == np.round(counts)))
    ):
        raise ValueError(
            "count must hold non-negative integers; got non-integer or missing values"
        )
    if counts.size and counts.min() < 0:
        raise ValueError(f"count must hold non-negative integers; got {counts.min()!r}")
    if leaves[levels].isna().to_numpy().any():
        raise ValueError("levels must have no missing values in leaves; got NaN")
    if leaves.duplicated(subset=levels).any():
        raise ValueError(
            "leaves must have one row per leaf (unique combination of the level "
            f"columns {levels!r}); got duplicates"
        )
    frames = [
        pd.DataFrame({"level": [ROOT_LEVEL], "depth": [0], "count": [counts.sum()]})
    ]
    for d in range(1, len(levels) + 1):
        keys = levels[:d]
        agg = (
            leaves.groupby(keys, sort=True, observed=True)["count"].sum().reset_index()
        )
        agg.insert(0, "depth", d)
        agg.insert(0, "level", levels[d - 1])
        frames.append(agg)
    out = pd.concat(frames, ignore_index=True)
    out = out[["level", "depth", *levels, "count"]]
    out["count"] = out["count"].astype(np.int64)
    return out


def _parent_index(
    frame: pd.DataFrame, levels: list[str], d: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the depth-``d`` rows and, for each, its parent's position."""
    depth = frame["depth"].to_numpy()
    child_pos = np.flatnonzero(depth == d)
    parent_pos = np.flatnonzero(depth == d - 1)
    if d == 1:
        if parent_pos.size != 1:
            raise ValueError(
                "noisy must have exactly one depth-0 (total) row; got "
                f"{parent_pos.size}"
            )
        return child_pos, np.zeros(child_pos.size, dtype=np.int64) + parent_pos[0]
    keys = levels[: d - 1]
    parents = pd.MultiIndex.from_frame(frame.iloc[parent_pos][keys])
    children = pd.MultiIndex.from_frame(frame.iloc[child_pos][keys])
    idx = parents.get_indexer(children)
    if np.any(idx < 0):
        raise ValueError(
            f"noisy must contain the parent of every unit; got depth-{d} units whose "
            f"{keys!r} have no depth-{d - 1} row"
        )
    return child_pos, parent_pos[idx]


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------


def noisy_hierarchy(
    leaves: pd.DataFrame,
    levels: Sequence[str],
    epsilon: float,
    *,
    rng: np.random.Generator,
    mechanism: Literal["laplace", "gaussian"] = "laplace",
    delta: float = 1e-6,
    weights: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Noisy counts at every level of a geography.

    Every unit of every level (including the total) gets an independent
    noisy count. Adding or removing one person changes exactly one count per
    level by 1, so:

    * within a level the units are disjoint (parallel composition: one
      level's counts, together, have L1 and L2 sensitivity 1);
    * across the ``L + 1`` levels (the total and ``len(levels)`` levels) the
      budget is split by ``weights`` (equal by default) and composes
      sequentially.

    ``mechanism="laplace"``: level ``j`` gets ``epsilon_j = w_j epsilon``
    and Laplace noise of scale ``1 / epsilon_j`` (one call of
    :func:`~course_lib.privacy.laplace_mechanism` per level); the
    release is **epsilon-DP** (``sum_j epsilon_j = epsilon``).

    ``mechanism="gaussian"`` (as the Census did, in zCDP): the total
    ``rho = rho_for_dp(epsilon, delta)`` is the largest zCDP budget that
    implies ``(epsilon, delta)``-DP; level ``j`` gets ``rho_j = w_j rho`` and
    Gaussian noise of standard deviation ``1 / sqrt(2 rho_j)``; the release
    is **rho-zCDP** and hence **(epsilon, delta)-DP**.

    Parameters
    ----------
    leaves : pandas.DataFrame
        Leaf counts: the ``levels`` columns and ``count``.
    levels : sequence of str
        Level columns, coarsest first.
    epsilon : float
        Total privacy budget, positive and finite.
    rng : numpy.random.Generator
        Source of the noise.
    mechanism : {"laplace", "gaussian"}, default "laplace"
        Noise distribution.
    delta : float, default 1e-6
        Only for ``"gaussian"``: the delta of the guarantee, in ``(0, 1)``.
    weights : sequence of float, optional
        Share of the budget of each of the ``len(levels) + 1`` levels, total
        first; non-negative, normalised to sum to 1. A level with weight 0
        is not measured (its ``noisy`` value is NaN).

    Returns
    -------
    pandas.DataFrame
        The layout of :func:`hierarchy_counts` with a float ``noisy`` column
        instead of ``count``.

    Raises
    ------
    ValueError
        If an argument is out of range or the leaves are malformed.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.

    Examples
    --------
    >>> leaves = pd.DataFrame({"state": ["A", "A", "B"], "county": ["x", "y", "x"],
    ...                        "count": [3, 4, 10]})
    >>> noisy = noisy_hierarchy(leaves, ["state", "county"], 3.0,
    ...                         rng=np.random.default_rng(0))
    >>> noisy.round(2)
        level  depth state county  noisy
    0   total      0   NaN    NaN  17.32
    1   state      1     A    NaN   6.38
    2   state      1     B    NaN   7.50
    3  county      2     A      x  -0.41
    4  county      2     A      y   4.98
    5  county      2     B      x  11.75
    """
    truth = hierarchy_counts(leaves, levels)
    n_levels = len(levels) + 1
    check_rng(rng)
    check_positive(epsilon, "epsilon")
    if weights is None:
        w = np.full(n_levels, 1.0 / n_levels)
    else:
        w = np.asarray(weights, dtype=float)
        if (
            w.shape != (n_levels,)
            or not np.all(np.isfinite(w) & (w >= 0))
            or w.sum() <= 0
        ):
            raise ValueError(
                f"weights must be {n_levels} non-negative numbers (total first), not "
                f"all zero; got {list(np.atleast_1d(w))!r}"
            )
        w = w / w.sum()
    depth = truth["depth"].to_numpy()
    counts = truth["count"].to_numpy(dtype=float)
    values = np.full(counts.size, np.nan)
    if mechanism == "laplace":
        # One Laplace mechanism per level (a loop over the few levels, not
        # over units): the level's count vector has L1 sensitivity 1.
        for j, wj in enumerate(w):
            if wj > 0:
                at = depth == j
                values[at] = laplace_mechanism(
                    counts[at], 1.0, float(wj * epsilon), rng=rng
                )
    elif mechanism == "gaussian":
        check_probability(delta, "delta", open_interval=True)
        rho = rho_for_dp(float(epsilon), float(delta))
        # Level j: rho_j = w_j rho, L2 sensitivity 1, sigma_j = 1 / sqrt(2 rho_j).
        sigma_of_depth = np.array(
            [gaussian_sigma_for_zcdp(wj * rho, 1.0) if wj > 0 else 0.0 for wj in w]
        )
        measured = w[depth] > 0
        values[measured] = counts[measured] + rng.normal(
            0.0, sigma_of_depth[depth[measured]]
        )
    else:
        raise ValueError(
            f"mechanism must be 'laplace' or 'gaussian'; got {mechanism!r}"
        )
    noisy = truth.drop(columns="count")
    noisy["noisy"] = values
    return noisy


# ---------------------------------------------------------------------------
# Post-processing
# ---------------------------------------------------------------------------


def _group_starts(sorted_groups: np.ndarray) -> np.ndarray:
    """Index of the first element of each element's group (groups contiguous)."""
    n = sorted_groups.size
    is_start = np.ones(n, dtype=bool)
    is_start[1:] = sorted_groups[1:] != sorted_groups[:-1]
    return np.maximum.accumulate(np.where(is_start, np.arange(n), 0))


def _project_simplex(y: np.ndarray, group: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Euclidean projection of each group of ``y`` onto {x >= 0, sum x = total[g]}.

    Vectorised sort-based algorithm (Held, Wolfe and Crowder 1974; Duchi et
    al. 2008): within each group sort y decreasingly, find the largest j with
    y_(j) > (cumsum_j - total) / j, and subtract that threshold.
    """
    order = np.lexsort((-y, group))
    ys, gs = y[order], group[order]
    start = _group_starts(gs)
    csum = np.cumsum(ys)
    within = csum - np.where(start > 0, csum[start - 1], 0.0)  # cumsum within group
    j = np.arange(ys.size) - start + 1
    tau = (within - total[gs]) / j
    ok = ys - tau > 0
    # Largest j with ok inside each group (ok is a prefix): the last ok index.
    n_groups = total.size
    last = np.full(n_groups, -1)
    np.maximum.at(last, gs[ok], np.flatnonzero(ok))
    tau_g = np.where(last >= 0, tau[np.maximum(last, 0)], np.inf)  # total 0 -> all 0
    x = np.empty_like(y)
    x[order] = np.maximum(ys - tau_g[gs], 0.0)
    return x


def _round_preserving_sums(
    x: np.ndarray, group: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Round ``x`` to integers so each group still sums to its integer total.

    Largest remainder: floor everything, then give +1 to the units of each
    group with the largest fractional parts until the group total is met.
    """
    base = np.floor(x + 1e-9)
    frac = x - base
    short = np.rint(total - np.bincount(group, weights=base, minlength=total.size))
    order = np.lexsort((-frac, group))
    gs = group[order]
    rank = np.arange(gs.size) - _group_starts(gs)
    bump = np.zeros(x.size)
    bump[order] = rank < short[gs]
    return base + bump


def consistent_counts(
    noisy: pd.DataFrame,
    levels: Sequence[str],
    *,
    nonnegative: bool = True,
    integer: bool = True,
) -> pd.DataFrame:
    """Post-process noisy hierarchical counts to be consistent (TopDown).

    From the top down:

    1. the total keeps its noisy value (clipped at 0 and rounded to an
       integer when asked);
    2. at each level, the noisy counts of the children of every unit are
       replaced by the closest vector (least squares) that sums to the
       parent's consistent count and, with ``nonnegative=True``, has no
       negative entry: the Euclidean projection onto a scaled simplex,
       computed for all units of the level at once with one sort;
       with ``nonnegative=False`` the projection onto the hyperplane (add
       the same correction to every child);
    3. with ``integer=True`` the children are then rounded by the largest
       remainder method, which keeps each family's sum equal to its
       parent's.

    This is post-processing of the noisy release, so it costs no privacy.
    Unlike clipping each noisy count at 0, it does not inflate totals: the
    sum over any level equals the (noisy) grand total.

    Parameters
    ----------
    noisy : pandas.DataFrame
        Output of :func:`noisy_hierarchy` (needs ``depth``, the level columns
        and ``noisy`` for every unit).
    levels : sequence of str
        The level columns, coarsest first.
    nonnegative : bool, default True
        Project onto non-negative counts.
    integer : bool, default True
        Round to integers preserving each family's sum (requires
        ``nonnegative`` to give non-negative integers).

    Returns
    -------
    pandas.DataFrame
        A copy of ``noisy`` with a ``consistent`` column (``int64`` when
        ``integer`` is true, ``float64`` otherwise).

    Raises
    ------
    ValueError
        If a column is missing, a noisy value is not finite, or the rows do
        not form a tree (a unit without its parent).
    TypeError
        If ``noisy`` is not a DataFrame.

    Examples
    --------
    >>> leaves = pd.DataFrame({"state": ["A", "A", "B"], "county": ["x", "y", "x"],
    ...                        "count": [3, 4, 10]})
    >>> noisy = noisy_hierarchy(leaves, ["state", "county"], 3.0,
    ...                         rng=np.random.default_rng(0))
    >>> consistent_counts(noisy, ["state", "county"]).round(2)
        level  depth state county  noisy  consistent
    0   total      0   NaN    NaN  17.32          17
    1   state      1     A    NaN   6.38           8
    2   state      1     B    NaN   7.50           9
    3  county      2     A      x  -0.41           1
    4  county      2     A      y   4.98           7
    5  county      2     B      x  11.75           9
    """
    levels = _check_levels(noisy, levels, what="noisy")
    for col in ("depth", "noisy"):
        if col not in noisy.columns:
            raise ValueError(
                f"noisy must have a {col!r} column (the output of noisy_hierarchy); "
                f"got columns {list(noisy.columns)!r}"
            )
    values = noisy["noisy"].to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "noisy must hold finite counts at every level; got NaN or inf (was a "
            "level given weight 0? it must be measured to be made consistent)"
        )
    out = np.empty_like(values)
    depth = noisy["depth"].to_numpy()
    root = np.flatnonzero(depth == 0)
    if root.size != 1:
        raise ValueError(
            f"noisy must have exactly one depth-0 (total) row; got {root.size}"
        )
    top = values[root[0]]
    if nonnegative:
        top = max(top, 0.0)
    if integer:
        top = float(np.floor(top + 0.5))
    out[root[0]] = top
    for d in range(1, len(levels) + 1):
        child_pos, parent_pos = _parent_index(noisy, levels, d)
        if child_pos.size == 0:
            continue
        parent_ids, group = np.unique(parent_pos, return_inverse=True)
        totals = out[parent_ids]
        y = values[child_pos]
        if nonnegative:
            x = _project_simplex(y, group, totals)
        else:
            sizes = np.bincount(group)
            gap = totals - np.bincount(group, weights=y)
            x = y + (gap / sizes)[group]
        if integer:
            x = _round_preserving_sums(x, group, totals)
        out[child_pos] = x
    result = noisy.copy()
    result["consistent"] = out.astype(np.int64) if integer else out
    return result


# ---------------------------------------------------------------------------
# A synthetic geography
# ---------------------------------------------------------------------------


def synthetic_geography(
    *,
    rng: np.random.Generator,
    n_states: int = 4,
    counties_per_state: tuple[int, int] = (2, 6),
    tracts_per_county: tuple[int, int] = (2, 12),
    median_tract: float = 200.0,
    spread: float = 1.5,
    share_tiny: float = 0.15,
) -> pd.DataFrame:
    """A synthetic geography of states, counties and tracts with skewed sizes.

    The numbers of counties per state and tracts per county are uniform on
    the given inclusive ranges. Tract populations are log-normal with the
    given median and log-scale standard deviation ``spread`` (a few very
    large tracts, many small ones), rounded down; a share ``share_tiny`` of
    tracts instead gets a tiny population, uniform on 0..5, the units where
    noise matters most. Names: states ``"S01"``, counties ``"S01-C02"``,
    tracts ``"S01-C02-T03"``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_states : int, default 4
        Number of states (at least 1).
    counties_per_state, tracts_per_county : tuple of int
        Inclusive ``(low, high)`` ranges, ``1 <= low <= high``.
    median_tract : float, default 200.0
        Median population of a non-tiny tract (positive).
    spread : float, default 1.5
        Standard deviation of the log population (non-negative).
    share_tiny : float, default 0.15
        Probability that a tract is tiny, in ``[0, 1]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``state``, ``county``, ``tract`` (strings) and ``count``
        (``int64``), one row per tract.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> geo = synthetic_geography(rng=np.random.default_rng(1), n_states=2)
    >>> list(geo.columns), geo["state"].nunique()
    (['state', 'county', 'tract', 'count'], 2)
    >>> geo.head(3)
      state   county        tract  count
    0   S01  S01-C01  S01-C01-T01    390
    1   S01  S01-C01  S01-C01-T02     89
    2   S01  S01-C01  S01-C01-T03    478
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator; got {type(rng).__name__}"
        )
    check_int(n_states, "n_states", low=1)
    for name, rng_pair in (
        ("counties_per_state", counties_per_state),
        ("tracts_per_county", tracts_per_county),
    ):
        if (
            len(rng_pair) != 2
            or not all(isinstance(v, (int, np.integer)) for v in rng_pair)
            or not 1 <= rng_pair[0] <= rng_pair[1]
        ):
            raise ValueError(
                f"{name} must be a pair of integers (low, high) with 1 <= low <= "
                f"high; got {rng_pair!r}"
            )
    check_positive(median_tract, "median_tract")
    check_real(spread, "spread", low=0.0)
    check_probability(share_tiny, "share_tiny")

    n_counties = rng.integers(
        counties_per_state[0], counties_per_state[1] + 1, n_states
    )
    county_state = np.repeat(np.arange(n_states), n_counties)
    county_no = np.arange(county_state.size) - np.repeat(
        np.cumsum(n_counties) - n_counties, n_counties
    )
    n_tracts = rng.integers(
        tracts_per_county[0], tracts_per_county[1] + 1, county_state.size
    )
    tract_county = np.repeat(np.arange(county_state.size), n_tracts)
    tract_no = np.arange(tract_county.size) - np.repeat(
        np.cumsum(n_tracts) - n_tracts, n_tracts
    )
    n = tract_county.size
    population = np.floor(median_tract * np.exp(spread * rng.standard_normal(n)))
    tiny = rng.random(n) < share_tiny
    population = np.where(tiny, rng.integers(0, 6, n), population).astype(np.int64)

    def label(prefix: str, numbers: np.ndarray) -> pd.Series:
        return prefix + pd.Series(numbers + 1).astype(str).str.zfill(2)

    state = label("S", county_state[tract_county])
    county = state + label("-C", county_no[tract_county])
    tract = county + label("-T", tract_no)
    return pd.DataFrame(
        {"state": state, "county": county, "tract": tract, "count": population}
    )
