"""Counterfactual explanations and recourse for linear classifiers.

A counterfactual explanation of a decision is the smallest change to a
person's features that would have changed it; it offers *recourse* when only
features the person can act on change, within plausible bounds (Wachter,
Mittelstadt and Russell 2018; Ustun, Spangher and Liu 2019). For a linear
classifier ``f(x) = w @ x + b`` the problem is convex:

    minimise   cost(x' - x)
    subject to w @ x' + b >= margin      (target 1; <= -margin for target 0)
               x'_j = x_j                for immutable features j
               lower <= x' <= upper

- :func:`counterfactual` solves it for one person: in closed form for the
  (weighted) l2 cost, by a linear program (:func:`scipy.optimize.linprog`)
  for the l1 cost;
- :func:`recourse_report` solves it for every person denied, vectorised, and
  reports who has no recourse at all.

Features are treated as continuous: rounding a counterfactual to whole units
(months, numbers of credits) is left to the reader.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import linprog

from course_lib._checks import check_choice, check_real

__all__ = ["Counterfactual", "counterfactual", "recourse_report"]

_COSTS = ("l1", "l2")


class Counterfactual(NamedTuple):
    """Result of :func:`counterfactual` (a named tuple).

    Attributes
    ----------
    x : ndarray of shape (p,)
        The counterfactual point (NaN if infeasible).
    delta : ndarray of shape (p,)
        ``x - x_original`` (NaN if infeasible).
    cost : float
        Its cost (0 if the decision already is the target; ``inf`` if
        infeasible).
    feasible : bool
        Whether some allowed change reaches the target decision.
    score : float
        Decision value ``w @ x + b`` at the counterfactual (NaN if infeasible).

    Examples
    --------
    >>> cf = counterfactual([1.0, 1.0], -2.0, [0.0, 0.0], margin=0.0)
    >>> cf.x.tolist(), round(cf.cost, 4)
    ([1.0, 1.0], 1.4142)
    """

    x: np.ndarray
    delta: np.ndarray
    cost: float
    feasible: bool
    score: float


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _linear(model_or_coef: Any, intercept: Any) -> tuple[np.ndarray, float]:
    """Coefficient vector and intercept of a binary linear classifier."""
    if hasattr(model_or_coef, "coef_"):
        if intercept is not None:
            raise TypeError(
                "intercept must be None when a fitted model is given; "
                f"got {intercept!r}"
            )
        w = np.asarray(model_or_coef.coef_, dtype=float)
        if w.ndim != 2 or w.shape[0] != 1:
            raise ValueError(
                f"model.coef_ must have shape (1, p) (a binary linear model); "
                f"got {w.shape}"
            )
        w = w[0]
        b = float(np.ravel(model_or_coef.intercept_)[0])
    else:
        w = np.asarray(model_or_coef, dtype=float)
        if intercept is None:
            raise ValueError(
                "intercept must be a number when coefficients are given; got None"
            )
        b = intercept
    if w.ndim != 1 or len(w) == 0 or not np.isfinite(w).all():
        raise ValueError(
            f"coef must be a non-empty finite 1-d array; got shape {w.shape}"
        )
    return w, check_real(b, "intercept")


def _options(
    p: int,
    names: list[str] | None,
    actionable: Any,
    bounds: Any,
    weights: Any,
    target: Any,
    margin: Any,
    cost: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, float, str]:
    """Validate the options shared by both public functions."""
    mask = _actionable_mask(p, names, actionable)
    lower, upper = _bounds(p, bounds)
    d = _cost_weights(p, weights)
    if isinstance(target, bool) or not isinstance(target, Real):
        raise TypeError(f"target must be 0 or 1; got {type(target).__name__}")
    if target not in (0, 1):
        raise ValueError(f"target must be 0 or 1; got {target!r}")
    margin = check_real(margin, "margin", low=0.0)
    cost = check_choice(cost, "cost", _COSTS)
    return mask, lower, upper, d, int(target), margin, cost


def _actionable_mask(p: int, names: list[str] | None, actionable: Any) -> np.ndarray:
    """Which of the ``p`` features may change: all by default, else by mask or name."""
    if actionable is None:
        return np.ones(p, dtype=bool)
    items = list(actionable) if not isinstance(actionable, str) else [actionable]
    if names is not None and items and all(isinstance(i, str) for i in items):
        unknown = [i for i in items if i not in names]
        if unknown:
            raise ValueError(
                f"actionable must name columns of X; got unknown {unknown}"
            )
        return np.isin(names, items)
    mask = np.asarray(actionable)
    if mask.dtype != bool or mask.shape != (p,):
        raise ValueError(
            f"actionable must be a boolean mask of length {p} or a list "
            f"of column names; got {actionable!r}"
        )
    return mask


def _bounds(p: int, bounds: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature lower and upper bounds (unbounded by default)."""
    if bounds is None:
        return np.full(p, -np.inf), np.full(p, np.inf)
    try:
        lower, upper = bounds
    except (TypeError, ValueError):
        raise ValueError(
            f"bounds must be a pair (lower, upper); got {bounds!r}"
        ) from None
    lower = np.broadcast_to(np.asarray(lower, dtype=float), (p,)).copy()
    upper = np.broadcast_to(np.asarray(upper, dtype=float), (p,)).copy()
    if np.isnan(lower).any() or np.isnan(upper).any() or (lower > upper).any():
        raise ValueError(
            "bounds must be (lower, upper) with lower <= upper and no NaN; "
            f"got lower={lower.tolist()}, upper={upper.tolist()}"
        )
    return lower, upper


def _cost_weights(p: int, weights: Any) -> np.ndarray:
    """Per-feature cost of a unit change (ones by default)."""
    if weights is None:
        return np.ones(p)
    d = np.broadcast_to(np.asarray(weights, dtype=float), (p,)).copy()
    if not (np.isfinite(d).all() and (d > 0).all()):
        raise ValueError(
            f"weights must be positive finite numbers (one per feature); "
            f"got {d.tolist()}"
        )
    return d


def _check_within(X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    outside = (X < lower) | (X > upper)
    if outside.any():
        row, col = np.argwhere(outside)[0]
        raise ValueError(
            "x must lie within bounds; got "
            f"x[{col}] = {X[row, col]} outside [{lower[col]}, {upper[col]}]"
            + (f" in row {row}" if len(X) > 1 else "")
        )


# --------------------------------------------------------------------------
# Vectorised exact solvers (all rows at once)
# --------------------------------------------------------------------------


def _room(
    a: np.ndarray, X: np.ndarray, lower: np.ndarray, upper: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """How far each feature may move in the helpful direction (n, p), >= 0."""
    room = np.where(a > 0, upper - X, X - lower)
    return np.where(mask & (a != 0), room, 0.0)


def _solve_l2(
    a: np.ndarray,
    need: np.ndarray,
    X: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    mask: np.ndarray,
    d: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise ||d * delta||_2 s.t. a @ delta >= need (> 0), box and mask.

    KKT: delta_j = sign(a_j) min(lam |a_j| / d_j^2, room_j) for some lam >= 0.
    The gain g(lam) = sum_j min(lam s_j, cap_j), with s_j = a_j^2 / d_j^2 and
    cap_j = |a_j| room_j, is concave, increasing and piecewise linear with
    breakpoints lam_j = cap_j / s_j; g(lam) = need is solved exactly on the
    segment where it crosses. Returns (delta (n, p), feasible (n,)).
    """
    n = X.shape[0]
    movable = mask & (a != 0)
    room = _room(a, X, lower, upper, mask)  # (n, p), may be inf
    s = np.where(movable, a**2 / d**2, 0.0)  # (p,)
    cap = np.where(movable, np.abs(a) * room, 0.0)  # (n, p)
    brk = np.where(movable, cap / np.where(movable, s, 1.0), np.inf)
    order = np.argsort(brk, axis=1, kind="stable")
    brk_s = np.take_along_axis(brk, order, axis=1)
    s_s = s[order]
    cap_s = np.where(np.isfinite(brk_s), np.take_along_axis(cap, order, axis=1), 0.0)
    zeros = np.zeros((n, 1))
    # On segment k (k = 0..p) the first k sorted features are saturated.
    sat_gain = np.concatenate([zeros, np.cumsum(cap_s, axis=1)], axis=1)
    free = np.concatenate(
        [
            s_s.sum(axis=1, keepdims=True)
            - np.concatenate([zeros, np.cumsum(s_s, axis=1)[:, :-1]], axis=1),
            zeros,
        ],
        axis=1,
    )
    lam_start = np.concatenate([zeros, brk_s], axis=1)
    finite = np.isfinite(lam_start)
    g_start = np.where(
        finite, sat_gain + np.where(finite, lam_start, 0.0) * free, np.inf
    )
    seg = (g_start < need[:, None]).sum(axis=1) - 1
    free_k = np.take_along_axis(free, seg[:, None], axis=1)[:, 0]
    gain_k = np.take_along_axis(sat_gain, seg[:, None], axis=1)[:, 0]
    feasible = free_k > 0
    lam = np.where(feasible, (need - gain_k) / np.where(feasible, free_k, 1.0), 0.0)
    step = np.minimum(lam[:, None] * np.abs(a) / d**2, room)
    step = np.where(movable, step, 0.0)
    return np.sign(a) * step + 0.0, feasible


def _solve_l1(
    a: np.ndarray,
    need: np.ndarray,
    X: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    mask: np.ndarray,
    d: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimise sum d_j |delta_j| s.t. a @ delta >= need (> 0), box and mask.

    A fractional knapsack: move features in decreasing order of |a_j| / d_j
    (gain per unit cost) as far as allowed, until the gain reaches ``need``.
    """
    n, p = X.shape
    room = _room(a, X, lower, upper, mask)
    ratio = np.where(mask & (a != 0), np.abs(a) / d, 0.0)
    order = np.argsort(-ratio, kind="stable")
    cap = np.abs(a)[order] * room[:, order]  # (n, p), may be inf
    cap = np.where(ratio[order] > 0, cap, 0.0)
    before = np.concatenate([np.zeros((n, 1)), np.cumsum(cap, axis=1)[:, :-1]], axis=1)
    remaining = np.clip(need[:, None] - before, 0.0, None)
    gain = np.minimum(cap, remaining)
    feasible = np.cumsum(cap, axis=1)[:, -1] >= need * (1 - 1e-12) if p else need <= 0
    with np.errstate(invalid="ignore", divide="ignore"):
        step_sorted = np.where(gain > 0, gain / np.abs(a)[order], 0.0)
    step = np.empty_like(step_sorted)
    step[:, order] = step_sorted
    return np.sign(a) * step + 0.0, feasible


def _batch(
    w: np.ndarray,
    b: float,
    X: np.ndarray,
    mask: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    d: np.ndarray,
    target: int,
    margin: float,
    cost: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counterfactuals of every row: (delta, cost, feasible, needs_change)."""
    sign = 1.0 if target == 1 else -1.0
    a = sign * w
    score = X @ w + b
    need = margin - sign * score  # required increase of a @ delta
    change = need > 0
    solver = _solve_l2 if cost == "l2" else _solve_l1
    delta, feasible = solver(a, np.where(change, need, 1.0), X, lower, upper, mask, d)
    delta = np.where(change[:, None], delta, 0.0)
    feasible = np.where(change, feasible, True)
    delta = np.where(feasible[:, None], delta, np.nan)
    if cost == "l2":
        costs = np.sqrt(((d * delta) ** 2).sum(axis=1))
    else:
        costs = np.abs(d * delta).sum(axis=1)
    costs = np.where(feasible, costs, np.inf)
    return delta, costs, feasible, change


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def counterfactual(
    model_or_coef: Any,
    intercept: float | None,
    x: ArrayLike,
    *,
    actionable: ArrayLike | None = None,
    bounds: tuple[ArrayLike, ArrayLike] | None = None,
    cost: Literal["l1", "l2"] = "l2",
    weights: ArrayLike | None = None,
    target: int = 1,
    margin: float = 1e-6,
) -> Counterfactual:
    """Cheapest change to ``x`` that gives a linear classifier's target decision.

    Solves ``min cost(x' - x)`` subject to ``w @ x' + b >= margin`` (target 1,
    the positive class ``classes_[1]`` of a scikit-learn model) or
    ``w @ x' + b <= -margin`` (target 0), ``x'_j = x_j`` where ``actionable``
    is False, and ``lower <= x' <= upper``. The cost is
    ``||weights * (x' - x)||`` in the l2 or l1 norm (weights: cost per unit of
    each feature, e.g. ``1 / std``).

    - l2: in closed form, ``delta = need * a / d^2 / ||a / d||^2`` restricted
      to the actionable features; with bounds, the KKT solution
      ``delta_j = clip(lam a_j / d_j^2)`` with ``lam`` found exactly between
      the breakpoints where features hit their bounds.
    - l1: a linear program in ``(delta+, delta-)``, solved by
      :func:`scipy.optimize.linprog` (HiGHS); an optimum changes few features.

    Parameters
    ----------
    model_or_coef : fitted binary linear classifier or array-like of shape (p,)
        A model with ``coef_`` of shape ``(1, p)`` and ``intercept_`` (e.g.
        :class:`~sklearn.linear_model.LogisticRegression`), or the
        coefficients ``w``.
    intercept : float or None
        ``b``; must be None when a model is given.
    x : array-like of shape (p,)
        The person's features (within ``bounds``).
    actionable : array-like of bool, shape (p,), optional
        True for features that may change; default all.
    bounds : (lower, upper), optional
        Scalars or arrays of shape (p,) (``-inf``/``inf`` allowed); default
        unbounded.
    cost : {"l2", "l1"}, default "l2"
        Norm of the weighted change.
    weights : array-like of shape (p,), optional
        Positive cost per unit change of each feature; default 1.
    target : {0, 1}, default 1
        Desired decision.
    margin : float, default 1e-6
        How far past the boundary the point must land, so that it is
        classified as the target despite rounding (use 0 for the exact
        boundary point).

    Returns
    -------
    Counterfactual
        The point, the change, its cost, whether it exists, and its score. If
        ``x`` already gets the target decision, ``x`` itself with cost 0.

    Raises
    ------
    ValueError
        If the coefficients, ``x``, the mask, bounds, weights, ``target``,
        ``margin`` or ``cost`` are invalid, or ``x`` lies outside the bounds.
    TypeError
        If a model is given together with an intercept, or the intercept,
        ``target``, ``margin`` or ``cost`` has the wrong type.

    Examples
    --------
    Raise ``2 x0 + x1 - 4`` to zero from the origin:

    >>> cf = counterfactual([2.0, 1.0], -4.0, [0.0, 0.0], margin=0.0)
    >>> cf.x.round(3).tolist(), round(cf.cost, 3)
    ([1.6, 0.8], 1.789)

    With l1 cost only the most effective feature moves:

    >>> counterfactual([2.0, 1.0], -4.0, [0.0, 0.0], cost="l1",
    ...                margin=0.0).x.round(3).tolist()
    [2.0, 0.0]

    If ``x0`` is immutable and ``x1 <= 3``, there is no recourse:

    >>> cf = counterfactual([2.0, 1.0], -4.0, [0.0, 0.0],
    ...                     actionable=[False, True], bounds=(0.0, 3.0))
    >>> cf.feasible, cf.cost
    (False, inf)
    """
    w, b = _linear(model_or_coef, intercept)
    p = len(w)
    x = np.asarray(x, dtype=float)
    if x.shape != (p,) or not np.isfinite(x).all():
        raise ValueError(
            f"x must be a finite 1-d array with {p} entries (one per coefficient); "
            f"got shape {x.shape}"
        )
    mask, lower, upper, d, target, margin, cost = _options(
        p, None, actionable, bounds, weights, target, margin, cost
    )
    _check_within(x[None, :], lower, upper)
    sign = 1.0 if target == 1 else -1.0
    need = margin - sign * (x @ w + b)
    if need <= 0:
        return Counterfactual(x.copy(), np.zeros(p), 0.0, True, float(x @ w + b))
    if cost == "l2":
        delta, _, feasible, _ = _batch(
            w, b, x[None, :], mask, lower, upper, d, target, margin, cost
        )
        delta, feasible = delta[0], bool(feasible[0])
    else:
        # Variables (delta+, delta-) >= 0; minimise d @ (delta+ + delta-)
        # subject to -a @ (delta+ - delta-) <= -need.
        a = sign * w
        up_room = np.where(mask, upper - x, 0.0)
        down_room = np.where(mask, x - lower, 0.0)
        var_bounds = [
            (0.0, None if np.isinf(r) else float(r))
            for r in np.concatenate([up_room, down_room])
        ]
        result = linprog(
            np.concatenate([d, d]),
            A_ub=np.concatenate([-a, a])[None, :],
            b_ub=[-need],
            bounds=var_bounds,
            method="highs",
        )
        feasible = result.status == 0
        if result.status not in (0, 2):
            raise RuntimeError(  # pragma: no cover - HiGHS failure
                f"linprog must solve the recourse problem; got status "
                f"{result.status}: {result.message}"
            )
        delta = result.x[:p] - result.x[p:] if feasible else np.full(p, np.nan)
    if not feasible:
        nan = np.full(p, np.nan)
        return Counterfactual(nan, nan.copy(), math.inf, False, math.nan)
    x_new = np.clip(x + delta, lower, upper)
    x_new = np.where(mask, x_new, x)
    delta = x_new - x
    value = (
        float(np.sqrt(((d * delta) ** 2).sum()))
        if cost == "l2"
        else float(np.abs(d * delta).sum())
    )
    return Counterfactual(x_new, delta, value, True, float(x_new @ w + b))


def recourse_report(
    model: Any,
    X: ArrayLike,
    *,
    actionable: ArrayLike | list[str] | None = None,
    bounds: tuple[ArrayLike, ArrayLike] | None = None,
    cost: Literal["l1", "l2"] = "l1",
    weights: ArrayLike | None = None,
    target: int = 1,
    margin: float = 1e-6,
    intercept: float | None = None,
) -> pd.DataFrame:
    """Recourse for every row that does not get the target decision.

    Solves the problem of :func:`counterfactual` for all such rows at once,
    with exact vectorised solvers: for l1, the fractional-knapsack solution
    (move features in decreasing order of ``|w_j| / weight_j`` until the
    decision flips; it is the linear program's optimum), for l2 the same
    closed form as :func:`counterfactual`.

    Parameters
    ----------
    model : fitted binary linear classifier or array-like of shape (p,)
        As ``model_or_coef`` of :func:`counterfactual` (with coefficients,
        pass ``intercept``).
    X : array-like of shape (n, p) or DataFrame
        People, within ``bounds``.
    actionable : boolean mask of shape (p,) or list of column names, optional
        Features that may change; default all.
    bounds : (lower, upper), optional
        Scalars or arrays of shape (p,); default unbounded.
    cost : {"l1", "l2"}, default "l1"
        Norm of the weighted change.
    weights : array-like of shape (p,), optional
        Positive cost per unit change; default 1.
    target : {0, 1}, default 1
        Desired decision.
    margin : float, default 1e-6
        How far past the boundary the counterfactual must land.
    intercept : float, optional
        The intercept when ``model`` is a coefficient vector.

    Returns
    -------
    pandas.DataFrame
        One row per person denied (index: ``X``'s index or positions), with
        columns ``score`` (decision value ``w @ x + b``), ``feasible``,
        ``cost`` (``inf`` if infeasible), ``n_changed`` (features changed by
        more than 1e-9; NaN if infeasible) and ``delta_<feature>`` (the
        change of each feature; NaN if infeasible).

    Raises
    ------
    ValueError
        If ``X`` is not a finite 2-d array matching the coefficients, a row
        lies outside the bounds, or an option is invalid (see
        :func:`counterfactual`).
    TypeError
        If a model is given together with an intercept, or the intercept,
        ``target``, ``margin`` or ``cost`` has the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> report = recourse_report([1.0, 1.0], X, intercept=-2.5,
    ...                          actionable=np.array([True, False]),
    ...                          bounds=(0.0, 2.0), margin=0.0)
    >>> report[["feasible", "cost", "n_changed", "delta_x0"]]
       feasible  cost  n_changed  delta_x0
    0     False   inf        NaN       NaN
    1      True   0.5        1.0       0.5
    """
    w, b = _linear(model, intercept)
    p = len(w)
    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    index = (
        X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(np.asarray(X)))
    )
    values = np.asarray(X, dtype=float)
    if values.ndim != 2 or values.shape[1] != p or not np.isfinite(values).all():
        raise ValueError(
            f"X must be a finite 2-d array with {p} columns (one per coefficient); "
            f"got shape {values.shape}"
        )
    mask, lower, upper, d, target, margin, cost = _options(
        p, names, actionable, bounds, weights, target, margin, cost
    )
    _check_within(values, lower, upper)
    delta, costs, feasible, change = _batch(
        w, b, values, mask, lower, upper, d, target, margin, cost
    )
    if names is None:
        names = [f"x{j}" for j in range(p)]
    n_changed = np.where(feasible, (np.abs(delta) > 1e-9).sum(axis=1), np.nan)
    report = pd.DataFrame(
        {
            "score": values @ w + b,
            "feasible": feasible,
            "cost": costs,
            "n_changed": n_changed,
        },
        index=index,
    )
    deltas = pd.DataFrame(delta, index=index, columns=[f"delta_{n}" for n in names])
    return pd.concat([report, deltas], axis=1).loc[change]
