"""Fairness-accuracy trade-offs: Pareto fronts of models.

A point (say, the error and the unfairness of one model) *dominates* another
when it is at least as good in every coordinate and strictly better in at
least one. The Pareto front is the set of points that no other point
dominates. Identical points do not dominate each other, so duplicates on the
front are all kept.

* :func:`pareto_front` marks the non-dominated rows of an ``(n, k)`` array:
  in 2-D by one sort and a running minimum (``O(n log n)``), in any
  dimension by broadcasting all pairwise comparisons (``O(n^2 k)``, in
  blocks of rows to bound memory; fine for thousands of points).
* :func:`sweep` evaluates a family of models over a parameter grid and
  returns their error, unfairness and front membership.
* :func:`plot_front` draws such a table with matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib.fairness._metrics import demographic_parity_difference

__all__ = ["pareto_front", "plot_front", "sweep"]

_BLOCK_ELEMENTS = 4_000_000  # pairwise comparisons per block in k-D


def _check_points(points: ArrayLike, minimize: Any) -> np.ndarray:
    """Validate and return the points as floats, oriented so smaller is better."""
    try:
        pts = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"points must be numeric; got values that cannot be converted to "
            f"float ({err})"
        ) from err
    if pts.ndim != 2:
        raise ValueError(
            "points must be a 2-D array of shape (n_points, n_objectives); got "
            f"shape {pts.shape}"
        )
    if pts.shape[1] == 0:
        raise ValueError("points must have at least one objective column; got 0")
    n_bad = int(np.count_nonzero(~np.isfinite(pts).all(axis=1)))
    if n_bad:
        raise ValueError(
            f"points must be finite (no NaN or inf); got {n_bad} row(s) with "
            "non-finite values. Drop them first, e.g. df.dropna()."
        )
    k = pts.shape[1]
    if isinstance(minimize, (bool, np.bool_)):
        flags = [bool(minimize)] * k
    else:
        flags = list(minimize)
        if len(flags) != k or not all(isinstance(f, (bool, np.bool_)) for f in flags):
            raise ValueError(
                f"minimize must be a bool or a sequence of {k} bools (one per "
                f"column of points); got {minimize!r}"
            )
    sign = np.where(np.array(flags, dtype=bool), 1.0, -1.0)
    return pts * sign


def _front_2d(pts: np.ndarray) -> np.ndarray:
    x, y = pts[:, 0], pts[:, 1]
    order = np.lexsort((y, x))  # by x, then y
    xs, ys = x[order], y[order]
    n = len(xs)
    idx = np.arange(n)
    starts = np.r_[True, xs[1:] != xs[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, idx, 0))
    running_min = np.minimum.accumulate(ys)
    # Smallest y among points with a strictly smaller x.
    before = np.where(group_start > 0, running_min[group_start - 1], np.inf)
    # Non-dominated: smallest y at its x (ties all kept) and strictly below
    # every point to the left.
    keep_sorted = (ys == ys[group_start]) & (ys < before)
    keep = np.empty(n, dtype=bool)
    keep[order] = keep_sorted
    return keep


def _front_kd(pts: np.ndarray) -> np.ndarray:
    n, k = pts.shape
    dominated = np.zeros(n, dtype=bool)
    block = max(1, _BLOCK_ELEMENTS // max(1, n * k))
    for start in range(0, n, block):  # blocks of rows, each fully vectorised
        rows = pts[start : start + block]
        # other[j] <= row[i] everywhere and < somewhere: j dominates i.
        le = (pts[None, :, :] <= rows[:, None, :]).all(axis=2)
        lt = (pts[None, :, :] < rows[:, None, :]).any(axis=2)
        dominated[start : start + block] = (le & lt).any(axis=1)
    return ~dominated


def pareto_front(
    points: ArrayLike, *, minimize: bool | Sequence[bool] = (True, True)
) -> np.ndarray:
    """Boolean mask of the non-dominated points.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        One row per candidate (e.g. a model), one column per objective.
        Finite numbers only.
    minimize : bool or sequence of bool, default (True, True)
        For each column, whether smaller is better (``True``) or larger is
        better (``False``). A single bool applies to every column; otherwise
        there must be one entry per column.

    Returns
    -------
    ndarray of bool, shape (n_points,)
        ``True`` for the points no other point dominates. Duplicated points
        are either all on the front or all off it.

    Raises
    ------
    ValueError
        If ``points`` is not 2-D, has no column or non-finite values, or
        ``minimize`` does not give one bool per column.
    TypeError
        If ``points`` is not numeric.

    Examples
    --------
    >>> pareto_front([[0.1, 0.30], [0.2, 0.10], [0.3, 0.20], [0.1, 0.30]])
    array([ True,  True, False,  True])
    >>> # Maximise accuracy, minimise unfairness.
    >>> pareto_front([[0.9, 0.2], [0.8, 0.1], [0.7, 0.1]], minimize=(False, True))
    array([ True,  True, False])
    """
    pts = _check_points(points, minimize)
    if len(pts) == 0:
        return np.zeros(0, dtype=bool)
    if pts.shape[1] == 1:
        return pts[:, 0] == pts[:, 0].min()
    if pts.shape[1] == 2:
        return _front_2d(pts)
    return _front_kd(pts)


def _error_rate(y_true: Any, y_pred: Any) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(y_true != y_pred))


def sweep(
    fit_predict: Callable[[Any], ArrayLike],
    params: Iterable[Any],
    *,
    y_true: ArrayLike,
    sensitive_features: Any,
    error: Callable[[Any, Any], float] = _error_rate,
    unfairness: Callable[..., float] = demographic_parity_difference,
) -> pd.DataFrame:
    """Evaluate a family of models over a parameter grid and mark the front.

    Parameters
    ----------
    fit_predict : callable
        ``fit_predict(param) -> y_pred``: fits (or adjusts) one model for the
        parameter value and returns its predictions for the evaluation rows,
        aligned with ``y_true``.
    params : iterable
        Parameter values. Dicts give one column per key; anything else goes in
        a column named ``param``.
    y_true : array-like of shape (n,)
        True labels of the evaluation rows.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group membership, passed to ``unfairness``.
    error : callable, default error rate
        ``error(y_true, y_pred) -> float``, smaller is better. The default is
        the share of rows with ``y_pred != y_true``.
    unfairness : callable, default :func:`demographic_parity_difference`
        ``unfairness(y_true, y_pred, sensitive_features=...) -> float``,
        smaller is better (e.g. :func:`equalized_odds_difference`).

    Returns
    -------
    pandas.DataFrame
        One row per parameter value, in order: the parameter column(s),
        ``error``, ``unfairness`` and ``pareto`` (bool, non-dominated in
        (error, unfairness), both minimised). Rows whose error or unfairness
        is NaN are never on the front.

    Raises
    ------
    ValueError
        If ``params`` is empty, dict parameters use the reserved names
        ``error``, ``unfairness`` or ``pareto``, or ``fit_predict`` returns
        predictions of the wrong length.
    TypeError
        If ``fit_predict``, ``error`` or ``unfairness`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> score = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.6, 0.9])
    >>> y = np.array([0, 0, 1, 1, 0, 1, 0, 1])
    >>> group = np.array(["a"] * 4 + ["b"] * 4)
    >>> thresholds = [0.3, 0.5, 0.65, 0.85]
    >>> table = sweep(lambda t: (score >= t).astype(int), thresholds,
    ...               y_true=y, sensitive_features=group)
    >>> table  # doctest: +NORMALIZE_WHITESPACE
       param  error  unfairness  pareto
    0   0.30  0.250        0.00    True
    1   0.50  0.250        0.50   False
    2   0.65  0.125        0.25    True
    3   0.85  0.375        0.25   False
    """
    for name, func in (
        ("fit_predict", fit_predict),
        ("error", error),
        ("unfairness", unfairness),
    ):
        if not callable(func):
            raise TypeError(f"{name} must be callable; got {type(func).__name__}")
    grid = list(params)
    if not grid:
        raise ValueError("params must contain at least one parameter value; got 0")
    n = len(y_true)
    records = []
    for param in grid:  # one model per parameter value
        y_pred = fit_predict(param)
        if len(y_pred) != n:
            raise ValueError(
                f"fit_predict must return one prediction per row of y_true "
                f"({n}); got {len(y_pred)} for param {param!r}"
            )
        row = dict(param) if isinstance(param, Mapping) else {"param": param}
        clash = {"error", "unfairness", "pareto"} & set(row)
        if clash:
            raise ValueError(
                f"parameter names must not be {sorted(clash)} (reserved for the "
                f"result columns); got {param!r}"
            )
        row["error"] = float(error(y_true, y_pred))
        row["unfairness"] = float(
            unfairness(y_true, y_pred, sensitive_features=sensitive_features)
        )
        records.append(row)
    table = pd.DataFrame.from_records(records)
    values = table[["error", "unfairness"]].to_numpy(dtype=float)
    defined = np.isfinite(values).all(axis=1)
    on_front = np.zeros(len(table), dtype=bool)
    on_front[defined] = pareto_front(values[defined])
    table["pareto"] = on_front
    return table


def plot_front(
    df: pd.DataFrame,
    ax: Any = None,
    *,
    x: str = "error",
    y: str = "unfairness",
    pareto: str = "pareto",
    label: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Scatter all models and draw the Pareto front as a step line.

    Parameters
    ----------
    df : pandas.DataFrame
        A table like the one :func:`sweep` returns.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure's axes by default.
    x, y : str, default "error", "unfairness"
        Columns for the two axes (both minimised).
    pareto : str, default "pareto"
        Boolean column marking the front. If absent it is computed with
        :func:`pareto_front` on ``x`` and ``y``.
    label : str, optional
        Legend label of the front (default ``"Pareto front"``).
    xlabel, ylabel : str, optional
        Axis labels (default: the column names, with underscores as spaces).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is not a column of ``df``, or ``df`` has no row with
        finite values in both.
    TypeError
        If ``df`` is not a DataFrame.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"error": [0.1, 0.2, 0.3], "unfairness": [0.3, 0.1, 0.2]})
    >>> ax = plot_front(df)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('error', 'unfairness')
    """
    import matplotlib.pyplot as plt

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    for name in (x, y):
        if name not in df.columns:
            raise ValueError(
                f"df must have a column {name!r}; got columns {list(df.columns)}"
            )
    values = df[[x, y]].to_numpy(dtype=float)
    defined = np.isfinite(values).all(axis=1)
    if not defined.any():
        raise ValueError(
            f"df must have at least one row with finite {x!r} and {y!r}; got none"
        )
    if pareto in df.columns:
        front = df[pareto].to_numpy(dtype=bool) & defined
    else:
        front = np.zeros(len(df), dtype=bool)
        front[defined] = pareto_front(values[defined])
    if ax is None:
        _, ax = plt.subplots()
    pts = values[defined & ~front]
    ax.scatter(pts[:, 0], pts[:, 1], color="0.6", label="dominated", zorder=2)
    best = values[front]
    best = best[np.lexsort((best[:, 1], best[:, 0]))]
    ax.step(best[:, 0], best[:, 1], where="post", color="C0", zorder=1)
    ax.scatter(
        best[:, 0], best[:, 1], color="C0", label=label or "Pareto front", zorder=3
    )
    ax.set_xlabel(xlabel if xlabel is not None else x.replace("_", " "))
    ax.set_ylabel(ylabel if ylabel is not None else y.replace("_", " "))
    ax.legend()
    return ax
