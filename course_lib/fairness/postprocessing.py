"""Post-processing for group fairness: group thresholds, ROC sweeps, Hardt et al.

Three tools that change a trained model's *decisions* without retraining it:

* :func:`group_thresholds` applies one threshold per group, and
  :func:`threshold_sweep` tabulates every group's ROC points (true positive
  rate, false positive rate, selection rate) for all thresholds at once, from
  one sort and cumulative sums.
* :class:`ThresholdOptimizer` is the randomised group-threshold classifier of
  Hardt, Price and Srebro (2016), "Equality of Opportunity in Supervised
  Learning", with the names, parameters and semantics of
  ``fairlearn.postprocessing.ThresholdOptimizer`` 0.15.
* :func:`bolt_on_randomization` and :func:`bolt_on_frontier` are the "bolt-on"
  fix of Kearns and Roth (*The Ethical Algorithm*, ch. 2): randomise the
  predictions of one group to pull its rate towards the others, at a cost in
  error; both move linearly in the randomisation probability.

Conventions are those of :mod:`course_lib.fairness.metrics` (inputs aligned by
position, sensitive features as one column or several, groups sorted by value,
NaN for a rate with an empty denominator). Scores must be finite. Labels for
fitting are 0/1 (booleans allowed), as in fairlearn.

Where this module differs from fairlearn 0.15's ``ThresholdOptimizer``:

* ``predict``/``_pmf_predict`` raise ``ValueError`` for a group not seen in
  ``fit`` (fairlearn silently predicts 0 for its rows).
* ``prefit=True`` with an unfitted estimator raises
  :class:`sklearn.exceptions.NotFittedError` (fairlearn warns).
* ``fit`` accepts ``sample_weight``: it is passed to the estimator's ``fit``
  and weights the ROC counts and the group proportions (fairlearn has no
  weights in the threshold search).
* ``random_state`` is an int, ``None`` or a :class:`numpy.random.Generator`;
  the random numbers differ from fairlearn's ``RandomState`` stream.
* fairlearn's ``tol`` (relaxed constraints) is not implemented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from course_lib._checks import (
    as_binary_1d,
    as_float_1d,
    check_probability,
    check_sample_weight,
)
from course_lib.fairness._counting import (
    feature_columns,
    group_codes,
    group_index,
    rate,
)

__all__ = [
    "ThresholdOptimizer",
    "bolt_on_frontier",
    "bolt_on_randomization",
    "group_thresholds",
    "threshold_sweep",
]

SIMPLE_CONSTRAINTS = {
    "selection_rate_parity": "selection_rate",
    "demographic_parity": "selection_rate",
    "false_positive_rate_parity": "false_positive_rate",
    "false_negative_rate_parity": "false_negative_rate",
    "true_positive_rate_parity": "true_positive_rate",
    "true_negative_rate_parity": "true_negative_rate",
}
ALL_CONSTRAINTS = (*SIMPLE_CONSTRAINTS, "equalized_odds")
OBJECTIVES_FOR_SIMPLE_CONSTRAINTS = (
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
)
OBJECTIVES_FOR_EQUALIZED_ODDS = ("accuracy_score", "balanced_accuracy_score")
PREDICT_METHODS = ("auto", "predict_proba", "decision_function", "predict")


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _lookup_groups(
    sensitive_features: Any,
    n: int,
    levels: list[pd.Index],
    level_codes: np.ndarray,
) -> np.ndarray:
    """Code each row into the groups seen in fit; raise for unseen groups."""
    columns = feature_columns(sensitive_features, n)
    if len(columns) != len(levels):
        raise ValueError(
            f"sensitive_features must have {len(levels)} column(s), as in fit; "
            f"got {len(columns)}"
        )
    sizes = np.array([len(lev) for lev in levels], dtype=np.int64)
    strides = np.cumprod(np.r_[sizes[1:], 1][::-1])[::-1]
    key = np.zeros(n, dtype=np.int64)
    unseen = np.zeros(n, dtype=bool)
    for j, ((_, values), lev) in enumerate(zip(columns, levels, strict=True)):
        codes = lev.get_indexer(pd.Index(values))
        unseen |= codes < 0
        key += codes.astype(np.int64) * strides[j]
    group = pd.Index(level_codes.astype(np.int64) @ strides).get_indexer(key)
    unseen |= group < 0
    if unseen.any():
        first = np.flatnonzero(unseen)[:5]
        example = [tuple(pd.Series(v).iloc[i] for _, v in columns) for i in first]
        raise ValueError(
            "sensitive_features must only contain groups seen in fit; got "
            f"{int(unseen.sum())} row(s) from unseen groups, e.g. {example}"
        )
    return group


# --------------------------------------------------------------------------
# Group thresholds and the per-group ROC sweep
# --------------------------------------------------------------------------


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
        Group of each row, as in :mod:`course_lib.fairness.metrics`.
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


# --------------------------------------------------------------------------
# Trade-off curves (the engine of ThresholdOptimizer)
# --------------------------------------------------------------------------


def _metric(name: str, tp, fp, pos, neg):
    """fairlearn's METRIC_DICT, on (weighted) counts."""
    n = pos + neg
    if name == "selection_rate":
        return (tp + fp) / n
    if name == "false_positive_rate":
        return fp / neg
    if name == "false_negative_rate":
        return (pos - tp) / pos
    if name == "true_positive_rate":
        return tp / pos
    if name == "true_negative_rate":
        return (neg - fp) / neg
    if name == "accuracy_score":
        return (tp + (neg - fp)) / n
    # balanced_accuracy_score
    return 0.5 * tp / pos + 0.5 * (neg - fp) / neg


def _upper_hulls(group: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the upper convex hull of each group's points.

    The points must be sorted by (group, x, y) with no duplicates within a
    group. Works in rounds over all groups at once: every point that lies on
    or below a segment joining two current points of its group, one on each
    side (the test of fairlearn's monotone chain), is not a vertex of the
    hull, so all such points can be removed together. The first and last
    point of a group are kept. The first rounds test only the two neighbours;
    if that is slow to converge (a long concave run ending below a high
    point loses one point per round), later rounds also test partners
    ``2, 4, 8, ...`` places away (clipped to the group), which bounds the
    number of rounds by about the logarithm of the chain length.
    """
    idx = np.arange(len(x))
    rounds = 0
    while len(idx) >= 3:
        m = len(idx)
        g = group[idx]
        pos = np.arange(m)
        first = np.searchsorted(g, g, side="left")
        last = np.searchsorted(g, g, side="right") - 1
        middle = (pos > first) & (pos < last)
        pairs = [(pos - 1, pos + 1)]
        if rounds >= 8:
            step = 2
            while step < m:
                pairs.append((pos - 1, np.minimum(pos + step, last)))
                pairs.append((np.maximum(pos - step, first), pos + 1))
                step *= 2
        drop = np.zeros(m, dtype=bool)
        b = idx[np.flatnonzero(middle)]
        for left, right in pairs:
            a = idx[left[middle]]
            c = idx[right[middle]]
            drop[middle] |= (y[b] - y[a]) * (x[c] - x[a]) <= (y[c] - y[a]) * (
                x[b] - x[a]
            )
        if not drop.any():
            break
        idx = idx[~drop]
        rounds += 1
    return idx


def _interpolation_indices(x_grid: np.ndarray, x_values: np.ndarray) -> np.ndarray:
    """fairlearn's convention: x_values[i] < grid <= x_values[i + 1]."""
    idx = np.searchsorted(x_values, x_grid, side="right") - 1
    idx[1:] = np.where(x_grid[1:] == x_values[idx[1:]], idx[1:] - 1, idx[1:])
    return idx


class _Curves:
    """Per-group trade-off curves interpolated on a common grid of x values.

    Attributes (n_groups rows, grid columns): ``y`` the interpolated y value;
    ``p0`` the weight of the left hull vertex; ``t0``/``t1`` and
    ``flip0``/``flip1`` the thresholds and operators of the two vertices.
    """

    def __init__(
        self,
        scores: np.ndarray,
        labels: np.ndarray,
        weights: np.ndarray,
        group: np.ndarray,
        n_groups: int,
        x_metric: str,
        y_metric: str,
        flip: bool,
        x_grid: np.ndarray,
    ) -> None:
        order = np.lexsort((-scores, group))
        s, g = scores[order], group[order]
        w_pos = np.where(labels[order] == 1, weights[order], 0.0)
        w_neg = np.where(labels[order] == 1, 0.0, weights[order])
        c_pos, c_neg = np.cumsum(w_pos), np.cumsum(w_neg)
        pos = np.bincount(group, weights=weights * (labels == 1), minlength=n_groups)
        neg = np.bincount(group, weights=weights * (labels == 0), minlength=n_groups)
        self.pos, self.neg = pos, neg

        # One point after every run of tied scores, plus "select nobody".
        last = np.r_[(g[1:] != g[:-1]) | (s[1:] != s[:-1]), True]
        ends = np.flatnonzero(last)
        first_of_group = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
        before_pos = np.r_[0.0, c_pos][first_of_group]  # cumsum before the group
        before_neg = np.r_[0.0, c_neg][first_of_group]
        gid = g[ends]
        tp = c_pos[ends] - before_pos[gid]
        fp = c_neg[ends] - before_neg[gid]
        nxt_same = np.r_[gid[1:] == gid[:-1], False]
        nxt_score = np.r_[s[ends][1:], 0.0]
        thr = np.where(nxt_same, (s[ends] + nxt_score) / 2, -np.inf)
        gid = np.r_[np.arange(n_groups), gid]
        tp = np.r_[np.zeros(n_groups), tp]
        fp = np.r_[np.zeros(n_groups), fp]
        thr = np.r_[np.full(n_groups, np.inf), thr]
        flipped = np.zeros(len(gid), dtype=bool)
        if flip:
            gid = np.r_[gid, gid]
            tp = np.r_[tp, pos[gid[: len(tp)]] - tp]
            fp = np.r_[fp, neg[gid[: len(fp)]] - fp]
            thr = np.r_[thr, thr]
            flipped = np.r_[flipped, np.ones(len(flipped), dtype=bool)]
        x = _metric(x_metric, tp, fp, pos[gid], neg[gid])
        y = _metric(y_metric, tp, fp, pos[gid], neg[gid])
        # With fractional sample weights a cumulative sum of a whole group can
        # miss its total by a rounding error, leaving the "select everyone"
        # point at x = 0.9999999999999998 and the grid's last value 1.0
        # outside every hull segment: snap rates that are 0 or 1 up to
        # rounding to exactly 0 or 1.
        x = np.where(np.abs(x - np.rint(x)) < 1e-9, np.rint(x), x)
        # Sort by (group, x, y); among exact duplicates keep the last, like
        # fairlearn's monotone chain.
        srt = np.lexsort((np.arange(len(x)), y, x, gid))
        gid, x, y, thr, flipped = gid[srt], x[srt], y[srt], thr[srt], flipped[srt]
        dup = np.r_[
            (gid[1:] == gid[:-1]) & (x[1:] == x[:-1]) & (y[1:] == y[:-1]), False
        ]
        keep = np.flatnonzero(~dup)
        gid, x, y, thr, flipped = gid[keep], x[keep], y[keep], thr[keep], flipped[keep]
        hull = _upper_hulls(gid, x, y)
        gid, x, y, thr, flipped = gid[hull], x[hull], y[hull], thr[hull], flipped[hull]

        m = len(x_grid)
        self.y = np.empty((n_groups, m))
        self.p0 = np.empty((n_groups, m))
        self.t0 = np.empty((n_groups, m))
        self.t1 = np.empty((n_groups, m))
        self.flip0 = np.empty((n_groups, m), dtype=bool)
        self.flip1 = np.empty((n_groups, m), dtype=bool)
        bounds = np.searchsorted(gid, np.arange(n_groups + 1))
        for k in range(n_groups):  # a loop over groups, each vectorised
            lo, hi = bounds[k], bounds[k + 1]
            xs, ys = x[lo:hi], y[lo:hi]
            i = _interpolation_indices(x_grid, xs)
            p0 = (xs[i + 1] - x_grid) / (xs[i + 1] - xs[i])
            self.p0[k] = p0
            self.y[k] = p0 * ys[i] + (1 - p0) * ys[i + 1]
            self.t0[k], self.t1[k] = thr[lo:hi][i], thr[lo:hi][i + 1]
            self.flip0[k], self.flip1[k] = flipped[lo:hi][i], flipped[lo:hi][i + 1]


# --------------------------------------------------------------------------
# ThresholdOptimizer
# --------------------------------------------------------------------------


def _soft_scores(estimator: Any, X: Any, method: str) -> np.ndarray:
    """Scores of ``estimator`` on ``X`` (fairlearn's ``predict_method``)."""
    if method == "auto":
        for candidate in ("predict_proba", "decision_function", "predict"):
            if hasattr(estimator, candidate):
                method = candidate
                break
    if not hasattr(estimator, method):
        raise ValueError(
            f"predict_method must name a method of the estimator; "
            f"{type(estimator).__name__} has no {method!r}"
        )
    out = np.asarray(getattr(estimator, method)(X))
    if method == "predict_proba":
        if out.ndim != 2 or out.shape[1] != 2:
            raise ValueError(
                "estimator.predict_proba must return shape (n, 2) for a binary "
                f"problem; got {out.shape}"
            )
        out = out[:, 1]
    return as_float_1d(out, f"the estimator's {method} output")


class ThresholdOptimizer(MetaEstimatorMixin, BaseEstimator):
    """Randomised group-specific thresholds under a fairness constraint.

    Hardt, Price and Srebro (2016), with the parameters and semantics of
    ``fairlearn.postprocessing.ThresholdOptimizer`` 0.15. For every group the
    scores of ``estimator`` are thresholded at every possible cut; each cut is
    a point (``x`` = the constrained rate, ``y`` = the objective) and
    randomising between two cuts reaches any point on a segment between them,
    so a group can reach every point under the upper convex hull of its points
    (for equalized odds: its ROC hull). Then:

    * **simple constraints** (equal selection rate, TPR, FPR, TNR or FNR): on
      a grid of ``grid_size + 1`` common values ``x`` in [0, 1], the objective
      is the group-size weighted mean of the hulls' heights; the best ``x`` is
      chosen and every group mixes the two cuts of its hull segment at ``x``;
    * **equalized odds**: on a grid of false positive rates ``x``, the best
      common true positive rate is the lowest hull height over the groups
      (every group can lower its TPR at fixed FPR by replacing, with
      probability ``p_ignore``, its decision by a coin that says 1 with
      probability ``x``: a point on the ROC diagonal); the objective
      (accuracy or balanced accuracy of the whole data) picks ``x``.

    The result predicts 1 with a probability that depends on the group and on
    which of two group thresholds the score passes (see :meth:`_pmf_predict`);
    :meth:`predict` draws from it.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn style classifier or regressor whose scores are
        post-processed. Required.
    constraints : str, default "demographic_parity"
        ``"demographic_parity"`` (or ``"selection_rate_parity"``),
        ``"true_positive_rate_parity"`` (Hardt et al.'s equal opportunity),
        ``"false_positive_rate_parity"``, ``"true_negative_rate_parity"``,
        ``"false_negative_rate_parity"`` or ``"equalized_odds"``.
    objective : str, default "accuracy_score"
        ``"accuracy_score"`` or ``"balanced_accuracy_score"``; for the simple
        constraints also ``"selection_rate"``, ``"true_positive_rate"`` or
        ``"true_negative_rate"``. As in fairlearn, for simple constraints the
        objective is the group-size weighted mean of the group objectives.
    grid_size : int, default 1000
        Number of intervals of the grid of constraint values in [0, 1].
    flip : bool, default False
        Also consider the flipped rules "score below the threshold gives 1".
    prefit : bool, default False
        Use ``estimator`` as fitted instead of fitting a clone of it.
    predict_method : {"auto", "predict_proba", "decision_function", "predict"}
        Which method of the estimator gives the scores: ``"auto"`` uses the
        first that exists in that order; ``"predict_proba"`` uses column 1.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted (or, with ``prefit=True``, the given) estimator.
    groups_ : pandas.Index
        The groups seen in fit, sorted (a MultiIndex for several features).
    x_metric_, y_metric_ : str
        Names of the constrained rate and of the objective on the curves.
    x_best_ : float
        The chosen common value of the constrained rate (for equalized odds,
        the false positive rate).
    y_best_ : float
        The objective at ``x_best_`` (for equalized odds, the common TPR).
    thresholds_ : ndarray of shape (n_groups, 2)
        Each group's two thresholds (``inf``/``-inf`` select nobody/everybody).
    flipped_ : ndarray of shape (n_groups, 2), dtype bool
        Whether each rule is "score < threshold" instead of "score > threshold".
    p0_ : ndarray of shape (n_groups,)
        Probability of applying the first rule (the second gets ``1 - p0_``).
    p_ignore_ : ndarray of shape (n_groups,)
        Probability of replacing the decision by a coin with
        ``P(1) = prediction_constant_`` (0 except for equalized odds).
    prediction_constant_ : float
        That coin's probability of 1 (``x_best_`` for equalized odds, else 0).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]
    >>> y = [1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
    >>> a = ["a", "b", "a", "a", "b", "a", "b", "b", "a", "b"]
    >>> opt = ThresholdOptimizer(estimator=LogisticRegression(),
    ...                          constraints="demographic_parity").fit(
    ...     X, y, sensitive_features=a)
    >>> p = opt._pmf_predict(X, sensitive_features=a)[:, 1]
    >>> import numpy as np
    >>> [round(float(p[np.array(a) == g].mean()), 6) for g in ("a", "b")]
    [0.6, 0.6]
    >>> opt.predict(X, sensitive_features=a, random_state=0).shape
    (10,)
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        constraints: Literal[
            "demographic_parity",
            "equalized_odds",
            "false_negative_rate_parity",
            "false_positive_rate_parity",
            "selection_rate_parity",
            "true_negative_rate_parity",
            "true_positive_rate_parity",
        ] = "demographic_parity",
        objective: Literal[
            "accuracy_score",
            "balanced_accuracy_score",
            "selection_rate",
            "true_positive_rate",
            "true_negative_rate",
        ] = "accuracy_score",
        grid_size: int = 1000,
        flip: bool = False,
        prefit: bool = False,
        predict_method: Literal[
            "auto", "predict_proba", "decision_function", "predict"
        ] = "auto",
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.flip = flip
        self.prefit = prefit
        self.predict_method = predict_method

    def _validate_params(self) -> None:
        if self.estimator is None:
            raise ValueError(
                "estimator must be a scikit-learn style estimator; got None"
            )
        if self.constraints not in ALL_CONSTRAINTS:
            raise ValueError(
                f"constraints must be one of {sorted(ALL_CONSTRAINTS)}; "
                f"got {self.constraints!r}"
            )
        allowed = (
            OBJECTIVES_FOR_EQUALIZED_ODDS
            if self.constraints == "equalized_odds"
            else OBJECTIVES_FOR_SIMPLE_CONSTRAINTS
        )
        if self.objective not in allowed:
            raise ValueError(
                f"objective must be one of {list(allowed)} for constraints="
                f"{self.constraints!r}; got {self.objective!r}"
            )
        if isinstance(self.grid_size, bool) or not isinstance(
            self.grid_size, (int, np.integer)
        ):
            raise TypeError(f"grid_size must be an int; got {self.grid_size!r}")
        if self.grid_size < 1:
            raise ValueError(f"grid_size must be at least 1; got {self.grid_size}")
        if self.predict_method not in PREDICT_METHODS:
            raise ValueError(
                f"predict_method must be one of {list(PREDICT_METHODS)}; "
                f"got {self.predict_method!r}"
            )

    def fit(
        self,
        X: Any,
        y: ArrayLike,
        *,
        sensitive_features: Any,
        sample_weight: ArrayLike | None = None,
        **kwargs: Any,
    ) -> ThresholdOptimizer:
        """Fit the estimator (unless ``prefit``) and choose the group thresholds.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features, passed to the estimator unchanged.
        y : array-like of shape (n,)
            Labels 0/1 (booleans allowed).
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; several columns give intersectional groups.
            Every group needs at least one positive and one negative label.
        sample_weight : array-like of shape (n,), optional
            Passed to the estimator's ``fit`` (when fitted here) and used to
            weight the counts of the threshold search.
        **kwargs
            Further arguments for the estimator's ``fit``.

        Returns
        -------
        ThresholdOptimizer
            ``self``.

        Raises
        ------
        ValueError
            On an invalid parameter, labels other than 0/1, mismatched lengths,
            missing sensitive values, a group with only one label, or
            non-finite scores.
        sklearn.exceptions.NotFittedError
            With ``prefit=True`` and an estimator that is not fitted.
        """
        self._validate_params()
        labels = as_binary_1d(y, "y").astype(np.int8)
        n = len(labels)
        if len(X) != n:
            raise ValueError(f"X and y must have the same length; got {len(X)} and {n}")
        weights = check_sample_weight(sample_weight, n)
        group, levels, level_codes = group_codes(sensitive_features, n)
        n_groups = len(level_codes)
        w = np.ones(n) if weights is None else weights
        pos = np.bincount(group, weights=w * labels, minlength=n_groups)
        neg = np.bincount(group, weights=w * (1 - labels), minlength=n_groups)
        degenerate = np.flatnonzero((pos <= 0) | (neg <= 0))
        groups = group_index(levels, level_codes)
        if degenerate.size:
            raise ValueError(
                "every group must have both labels (with positive weight) to "
                f"build its ROC curve; got only one label in group(s) "
                f"{groups[degenerate].tolist()[:5]}"
            )
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
        else:
            fit_kwargs = dict(kwargs)
            if weights is not None:
                fit_kwargs["sample_weight"] = weights
            self.estimator_ = clone(self.estimator).fit(X, labels, **fit_kwargs)
        scores = _soft_scores(self.estimator_, X, self.predict_method)
        if len(scores) != n:
            raise ValueError(
                f"the estimator's scores must have one value per row ({n}); "
                f"got {len(scores)}"
            )
        x_grid = np.linspace(0, 1, self.grid_size + 1)
        if self.constraints == "equalized_odds":
            self.x_metric_, self.y_metric_ = "false_positive_rate", "true_positive_rate"
        else:
            self.x_metric_ = SIMPLE_CONSTRAINTS[self.constraints]
            self.y_metric_ = self.objective
        curves = _Curves(
            scores,
            labels,
            w,
            group,
            n_groups,
            self.x_metric_,
            self.y_metric_,
            bool(self.flip),
            x_grid,
        )
        rows = np.arange(n_groups)
        if self.constraints == "equalized_odds":
            y_min = curves.y.min(axis=0)
            P, N = pos.sum(), neg.sum()
            objective = np.around(
                _metric(self.objective, P * y_min, N * x_grid, P, N), 15
            )
            best = int(np.argmax(objective))
            x_best, y_best = x_grid[best], y_min[best]
            y_g = curves.y[:, best]
            with np.errstate(divide="ignore", invalid="ignore"):
                p_ignore = np.where(y_g == x_best, 0.0, (y_g - y_best) / (y_g - x_best))
            constant = float(x_best)
        else:
            proportions = np.bincount(group, weights=w, minlength=n_groups) / w.sum()
            overall = proportions @ curves.y
            best = int(np.argmax(overall))
            x_best, y_best = x_grid[best], overall[best]
            p_ignore = np.zeros(n_groups)
            constant = 0.0
        self.groups_ = groups
        self._levels = levels
        self._level_codes = level_codes
        self.x_best_ = float(x_best)
        self.y_best_ = float(y_best)
        self.thresholds_ = np.column_stack([curves.t0[:, best], curves.t1[:, best]])
        self.flipped_ = np.column_stack([curves.flip0[:, best], curves.flip1[:, best]])
        self.p0_ = curves.p0[rows, best].copy()
        self.p_ignore_ = p_ignore
        self.prediction_constant_ = constant
        return self

    def _pmf_predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        """Probabilities of predicting 0 and 1 for every row.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; every group must have been seen in fit.

        Returns
        -------
        ndarray of shape (n, 2)
            Column 0 is ``P(prediction = 0)``, column 1 ``P(prediction = 1)``
            (as fairlearn's ``_pmf_predict``).

        Raises
        ------
        ValueError
            For unseen groups, mismatched lengths or non-finite scores.
        sklearn.exceptions.NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "thresholds_")
        scores = _soft_scores(self.estimator_, X, self.predict_method)
        g = _lookup_groups(
            sensitive_features, len(scores), self._levels, self._level_codes
        )
        t, f = self.thresholds_[g], self.flipped_[g]
        above = np.where(f, scores[:, None] < t, scores[:, None] > t)
        p0 = self.p0_[g]
        positive = p0 * above[:, 0] + (1 - p0) * above[:, 1]
        pi = self.p_ignore_[g]
        positive = pi * self.prediction_constant_ + (1 - pi) * positive
        return np.column_stack([1.0 - positive, positive])

    def predict(
        self,
        X: Any,
        *,
        sensitive_features: Any,
        random_state: int | np.random.Generator | None = None,
    ) -> np.ndarray:
        """Draw a 0/1 prediction for every row from :meth:`_pmf_predict`.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; every group must have been seen in fit.
        random_state : int, numpy.random.Generator or None, default None
            Seed or generator for the draws (one uniform number per row); the
            same int gives the same predictions.

        Returns
        -------
        ndarray of shape (n,), dtype int64
            Predictions, 1 with the row's probability.

        Raises
        ------
        ValueError
            As :meth:`_pmf_predict`.
        TypeError
            If ``random_state`` is not an int, a Generator or None.
        sklearn.exceptions.NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "thresholds_")
        if not (
            random_state is None
            or isinstance(random_state, np.random.Generator)
            or (
                isinstance(random_state, (int, np.integer))
                and not isinstance(random_state, bool)
            )
        ):
            raise TypeError(
                "random_state must be an int, a numpy.random.Generator or None; "
                f"got {type(random_state).__name__}"
            )
        p = self._pmf_predict(X, sensitive_features=sensitive_features)[:, 1]
        u = np.random.default_rng(random_state).random(len(p))
        return (u < p).astype(np.int64)


# --------------------------------------------------------------------------
# Bolt-on randomisation (Kearns and Roth)
# --------------------------------------------------------------------------

_BOLT_ON_METRICS = ("selection_rate", "tpr", "fpr", "error_rate")


def _bolt_on_inputs(
    y_pred: Any, sensitive_features: Any, group: Any
) -> tuple[np.ndarray, np.ndarray, pd.Index, int]:
    pred = as_binary_1d(y_pred, "y_pred").astype(np.int8)
    codes, levels, level_codes = group_codes(sensitive_features, len(pred))
    groups = group_index(levels, level_codes)
    try:
        k = groups.get_loc(group)
    except (KeyError, TypeError, pd.errors.InvalidIndexError):
        k = None
    if not isinstance(k, (int, np.integer)):
        raise ValueError(
            f"group must be one of the observed groups {groups.tolist()[:8]}; "
            f"got {group!r}"
        )
    return pred, codes, groups, int(k)


def bolt_on_randomization(
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    group: Any,
    p: float,
    replacement_rate: float = 0.5,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Randomise one group's predictions ("bolt-on" fairness, Kearns and Roth).

    Every row of ``group`` independently keeps its prediction with probability
    ``1 - p``; with probability ``p`` the prediction is replaced by a fresh
    random decision that is 1 with probability ``replacement_rate`` (0.5: a
    fair coin flip; 1: "accept everyone"), drawn independently of the features
    and the label. Rows of other groups are untouched. The model is not
    changed; only its decisions are.

    Parameters
    ----------
    y_pred : array-like of shape (n,)
        Predictions 0/1 (booleans allowed).
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row.
    group : scalar or tuple
        The group to randomise (a tuple of values for several features).
    p : float in [0, 1]
        Probability of replacing a prediction of ``group``.
    replacement_rate : float in [0, 1], default 0.5
        Probability that a replaced prediction is 1.
    random_state : int, numpy.random.Generator or None, default None
        Seed or generator; the same int gives the same output.

    Returns
    -------
    ndarray of shape (n,), dtype int64
        The randomised predictions.

    Raises
    ------
    ValueError
        If ``y_pred`` is not 0/1, ``group`` was not observed, ``p`` or
        ``replacement_rate`` is outside [0, 1], or the lengths differ.
    TypeError
        If ``p`` or ``replacement_rate`` is not a number.

    Examples
    --------
    >>> bolt_on_randomization([1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"],
    ...                       group="b", p=1.0, replacement_rate=1.0)
    array([1, 0, 1, 1])
    """
    p = check_probability(p, "p")
    q = check_probability(replacement_rate, "replacement_rate")
    pred, codes, _, k = _bolt_on_inputs(y_pred, sensitive_features, group)
    rng = np.random.default_rng(random_state)
    u = rng.random((2, len(pred)))
    replace = (codes == k) & (u[0] < p)
    return np.where(replace, u[1] < q, pred).astype(np.int64)


def bolt_on_frontier(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    group: Any,
    ps: ArrayLike,
    replacement_rate: float = 0.5,
    metric: Literal["selection_rate", "tpr", "fpr", "error_rate"] = "fpr",
    sample_weight: ArrayLike | None = None,
) -> pd.DataFrame:
    """Expected error and unfairness of :func:`bolt_on_randomization`, exactly.

    With ``q = replacement_rate``, a row of ``group`` predicts 1 with
    probability ``(1 - p) * y_pred + p * q``, and it is wrong with probability
    ``(1 - p) * [y_pred != y] + p * (q if y == 0 else 1 - q)``. Every rate is a
    (weighted) mean of such terms over a fixed set of rows (a group, or its
    negatives or positives), so **each group rate and the overall error are
    affine in p**: ``rate_g(p) = (1 - p) * rate_g(0) + p * r_g`` where ``r_g``
    is the rate of a pure coin (``q`` for the selection rate, TPR and FPR;
    ``q * P(y=0 | g) + (1 - q) * P(y=1 | g)`` for the error rate). The other
    groups' rates do not move. Hence, as long as ``group`` stays on the same
    side of the others, the unfairness (largest minus smallest group rate)
    and the error move along a straight segment: every unit of unfairness
    removed costs the same amount of error. Once ``group``'s rate crosses
    another group's the unfairness grows again (the frontier is piecewise
    linear; its useful part ends where the gap is smallest).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels 0/1.
    y_pred : array-like of shape (n,)
        Predictions 0/1 before randomisation.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row.
    group : scalar or tuple
        The group whose predictions are randomised.
    ps : array-like of shape (k,)
        Randomisation probabilities in [0, 1].
    replacement_rate : float in [0, 1], default 0.5
        Probability that a replaced prediction is 1.
    metric : {"selection_rate", "tpr", "fpr", "error_rate"}, default "fpr"
        The group rate whose between-group gap measures unfairness.
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    pandas.DataFrame
        One row per ``p``: ``p``, ``error`` (expected overall error rate),
        ``unfairness`` (largest minus smallest expected group ``metric``,
        over the groups where it is defined) and ``group_rate`` (the
        randomised group's expected ``metric``). These are expectations (the
        rates of the probabilities of predicting 1), not simulated values.

    Raises
    ------
    ValueError
        On labels other than 0/1, an unobserved ``group``, probabilities
        outside [0, 1], an unknown ``metric`` or mismatched lengths.
    TypeError
        If ``replacement_rate`` is not a number.

    Examples
    --------
    >>> f = bolt_on_frontier([0, 0, 1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 0, 0, 1, 0],
    ...                      sensitive_features=list("aaaabbbb"), group="b",
    ...                      ps=[0.0, 0.5, 1.0], metric="fpr")
    >>> f
         p   error  unfairness  group_rate
    0  0.0  0.2500        0.50        0.00
    1  0.5  0.3125        0.25        0.25
    2  1.0  0.3750        0.00        0.50
    """
    q = check_probability(replacement_rate, "replacement_rate")
    if metric not in _BOLT_ON_METRICS:
        raise ValueError(
            f"metric must be one of {list(_BOLT_ON_METRICS)}; got {metric!r}"
        )
    pred, codes, groups, k = _bolt_on_inputs(y_pred, sensitive_features, group)
    y = as_binary_1d(y_true, "y_true", n=len(pred)).astype(np.int8)
    p = as_float_1d(ps, "ps")
    if ((p < 0) | (p > 1)).any():
        raise ValueError(
            f"ps must lie in [0, 1]; got values from {p.min()} to {p.max()}"
        )
    w = check_sample_weight(sample_weight, len(pred))
    w = np.ones(len(pred)) if w is None else w
    n_groups = len(groups)
    # Per group and label: weight, and weight of predicted 1.
    cell = 2 * codes + y
    tot = np.bincount(cell, weights=w, minlength=2 * n_groups).reshape(n_groups, 2)
    sel = np.bincount(cell, weights=w * pred, minlength=2 * n_groups).reshape(
        n_groups, 2
    )
    # Expected "predicted 1" counts of every group as a function of p (k, g, 2).
    coin = q * tot[k]
    sel_p = np.broadcast_to(sel, (len(p), n_groups, 2)).copy()
    sel_p[:, k] = (1 - p)[:, None] * sel[k] + p[:, None] * coin
    # Errors: false positives (label 0, predicted 1) + false negatives.
    wrong = sel_p[..., 0] + (tot[:, 1] - sel_p[..., 1])
    error = wrong.sum(axis=1) / w.sum()
    if metric == "selection_rate":
        rates = rate(sel_p.sum(-1), tot.sum(-1))
    elif metric == "tpr":
        rates = rate(sel_p[..., 1], tot[:, 1])
    elif metric == "fpr":
        rates = rate(sel_p[..., 0], tot[:, 0])
    else:
        rates = rate(wrong, tot.sum(-1))
    defined = ~np.isnan(rates)
    hi = np.where(defined, rates, -np.inf).max(axis=1)
    lo = np.where(defined, rates, np.inf).min(axis=1)
    unfairness = np.where(defined.any(axis=1), hi - lo, np.nan)
    return pd.DataFrame(
        {"p": p, "error": error, "unfairness": unfairness, "group_rate": rates[:, k]}
    )
