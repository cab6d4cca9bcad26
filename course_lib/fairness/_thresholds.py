"""Group thresholds and every group's ROC points.

:func:`group_thresholds` applies one threshold per group, and
:func:`threshold_sweep` tabulates every group's ROC points (true positive
rate, false positive rate, selection rate) for all thresholds at once, from
one sort and cumulative sums. Groups, inputs and rates follow the metrics of
:mod:`course_lib.fairness` (inputs aligned by position, sensitive features as
one column or several, groups sorted by value, NaN for a rate with an empty
denominator); scores must be finite and labels 0/1 (booleans allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib._checks import as_binary_1d, as_float_1d, check_sample_weight
from course_lib.fairness._counting import group_codes, group_index, rate

__all__ = ["group_thresholds", "threshold_sweep"]


def group_thresholds(
    scores: ArrayLike,
    *,
    sensitive_features: Any,
    thresholds: Mapping[Any, float],
) -> np.ndarray:
    """Predict 1 where a row's score is at least its group's threshold.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Finite scores (probabilities, decision values, ...).
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row, as in :func:`~course_lib.fairness.group_metrics`.
    thresholds : mapping
        Threshold of every observed group, keyed by the group's value (a tuple
        of values, in column order, for several sensitive features). A
        ``pandas.Series`` indexed by group works too. Extra keys are ignored.

    Returns
    -------
    ndarray of shape (n,), dtype int64
        ``1`` where ``score >= thresholds[group]``, else ``0``.

    Raises
    ------
    ValueError
        If the scores are not finite and 1-D, the lengths differ, a group has
        no threshold, or a threshold is NaN.
    TypeError
        If ``thresholds`` is not a mapping or a threshold is not a number.

    Examples
    --------
    >>> group_thresholds([0.2, 0.6, 0.4, 0.9], sensitive_features=["a", "a", "b", "b"],
    ...                  thresholds={"a": 0.5, "b": 0.3})
    array([0, 1, 1, 1])
    """
    s = as_float_1d(scores, "scores")
    if not isinstance(thresholds, (Mapping, pd.Series)):
        raise TypeError(
            "thresholds must be a mapping from group value to threshold (dict or "
            f"Series); got {type(thresholds).__name__}"
        )
    group, levels, level_codes = group_codes(sensitive_features, len(s))
    keys = group_index(levels, level_codes).tolist()
    missing = [k for k in keys if k not in thresholds]
    if missing:
        raise ValueError(
            f"thresholds must have a key for every group; got none for {missing[:5]}"
        )
    try:
        t = np.array([thresholds[k] for k in keys], dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"thresholds must be numbers; got an error: {err}") from err
    if np.isnan(t).any():
        raise ValueError("thresholds must not be NaN; got NaN for some group")
    return (s >= t[group]).astype(np.int64)


def threshold_sweep(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    sensitive_features: Any,
    thresholds: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> pd.DataFrame:
    """Every group's ROC points: TPR, FPR and selection rate per threshold.

    The rule at threshold ``t`` is ``score >= t`` (as :func:`group_thresholds`).
    The data are sorted once (by group, then score) and the counts above every
    threshold come from cumulative sums, so the cost is one sort plus linear
    work, whatever the number of thresholds.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels, 0/1 (booleans allowed).
    scores : array-like of shape (n,)
        Finite scores.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row.
    thresholds : array-like of shape (k,), optional
        Thresholds to evaluate for every group. By default each group gets
        ``+inf`` (nothing selected) followed by its distinct scores in
        decreasing order (the last selects everyone): its full ROC curve.
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    pandas.DataFrame
        One row per (group, threshold), groups sorted by value and thresholds
        in decreasing order; columns: the sensitive feature(s), ``threshold``,
        ``tpr``, ``fpr``, ``selection_rate``. A rate with a zero denominator is
        NaN.

    Raises
    ------
    ValueError
        On labels other than 0/1, non-finite scores, NaN thresholds,
        mismatched lengths or invalid weights.

    Examples
    --------
    >>> threshold_sweep([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1],
    ...                 sensitive_features=["a", "a", "b", "b"])
      sensitive_feature_0  threshold  tpr  fpr  selection_rate
    0                   a        inf  0.0  0.0             0.0
    1                   a        0.9  1.0  0.0             0.5
    2                   a        0.8  1.0  1.0             1.0
    3                   b        inf  0.0  0.0             0.0
    4                   b        0.3  1.0  0.0             0.5
    5                   b        0.1  1.0  1.0             1.0
    """
    y = as_binary_1d(y_true, "y_true").astype(np.int8)
    s = as_float_1d(scores, "scores", n=len(y))
    w = check_sample_weight(sample_weight, len(y))
    w = np.ones(len(y)) if w is None else w
    group, levels, level_codes = group_codes(sensitive_features, len(y))
    n_groups = len(level_codes)
    order = np.lexsort((-s, group))
    s_sorted, g_sorted = s[order], group[order]
    w_pos = np.where(y[order] == 1, w[order], 0.0)
    w_all = w[order]
    # Cumulative sums with a leading 0, so "rows [a, b)" is c[b] - c[a].
    c_pos = np.r_[0.0, np.cumsum(w_pos)]
    c_all = np.r_[0.0, np.cumsum(w_all)]
    bounds = np.r_[0, np.cumsum(np.bincount(group, minlength=n_groups))]

    if thresholds is None:
        # Distinct scores of each group: the last row of every run of ties.
        last = np.r_[
            (g_sorted[1:] != g_sorted[:-1]) | (s_sorted[1:] != s_sorted[:-1]), True
        ]
        ends = np.flatnonzero(last) + 1  # rows [group start, end) are selected
        point_group = np.r_[np.arange(n_groups), g_sorted[ends - 1]]
        point_end = np.r_[bounds[:-1], ends]
        point_t = np.r_[np.full(n_groups, np.inf), s_sorted[ends - 1]]
        sort = np.lexsort((point_end, point_group))
        point_group, point_end, point_t = (
            point_group[sort],
            point_end[sort],
            point_t[sort],
        )
    else:
        t = np.sort(_as_thresholds(thresholds))[::-1]
        # Per group, the number of rows with score >= t: the scores are sorted
        # decreasingly, so search the negated (increasing) scores.
        neg = -s_sorted
        per_group = []
        for g in range(n_groups):
            lo, hi = bounds[g], bounds[g + 1]
            per_group.append(lo + np.searchsorted(neg[lo:hi], -t, side="right"))
        point_end = np.concatenate(per_group) if per_group else np.zeros(0, int)
        point_group = np.repeat(np.arange(n_groups), len(t))
        point_t = np.tile(t, n_groups)

    start = bounds[point_group]
    sel_pos = c_pos[point_end] - c_pos[start]
    sel_all = c_all[point_end] - c_all[start]
    tot_pos = (c_pos[bounds[1:]] - c_pos[bounds[:-1]])[point_group]
    tot_all = (c_all[bounds[1:]] - c_all[bounds[:-1]])[point_group]
    tot_neg = tot_all - tot_pos
    frame = {
        lev.name: lev[level_codes[point_group, j]].to_numpy()
        for j, lev in enumerate(levels)
    }
    frame |= {
        "threshold": point_t,
        "tpr": rate(sel_pos, tot_pos),
        "fpr": rate(sel_all - sel_pos, tot_neg),
        "selection_rate": rate(sel_all, tot_all),
    }
    return pd.DataFrame(frame)


def _as_thresholds(thresholds: Any) -> np.ndarray:
    try:
        t = np.asarray(thresholds, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"thresholds must be numeric; got an error: {err}") from err
    if t.ndim != 1:
        raise ValueError(f"thresholds must be 1-D; got an array of shape {t.shape}")
    if np.isnan(t).any():
        raise ValueError("thresholds must not contain NaN; got NaN")
    return t
