"""Per-group trade-off curves: the engine of the threshold optimizer.

For every group, thresholding the scores at every cut gives a point
(``x`` = a constrained rate, ``y`` = an objective); randomising between two
cuts reaches every point of the segment between them, so a group can reach
every point under the upper convex hull of its points. :class:`Curves`
builds the hulls of all groups at once and interpolates them on a common grid
of ``x`` values, as fairlearn 0.15's ``ThresholdOptimizer`` does (same
thresholds, same hull, same interpolation convention).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Curves", "curve_metric"]


def curve_metric(name: str, tp, fp, pos, neg):
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


def _cut_points(
    scores: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    flip: bool,
) -> tuple[np.ndarray, ...]:
    """Every group's cuts: (group, tp, fp, threshold, flipped) per cut, pos, neg.

    One cut after every run of tied scores (the threshold halfway to the next
    score), plus "select nobody" (threshold ``inf``); with ``flip`` also every
    cut's flipped rule. ``tp``/``fp`` are the weighted true and false
    positives; ``pos``/``neg`` the weighted positives and negatives per group.
    """
    order = np.lexsort((-scores, group))
    s, g = scores[order], group[order]
    w_pos = np.where(labels[order] == 1, weights[order], 0.0)
    w_neg = np.where(labels[order] == 1, 0.0, weights[order])
    c_pos, c_neg = np.cumsum(w_pos), np.cumsum(w_neg)
    pos = np.bincount(group, weights=weights * (labels == 1), minlength=n_groups)
    neg = np.bincount(group, weights=weights * (labels == 0), minlength=n_groups)

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
    return gid, tp, fp, thr, flipped, pos, neg


def _hull_vertices(
    gid: np.ndarray, x: np.ndarray, y: np.ndarray, thr: np.ndarray, flipped: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The cuts on each group's upper hull, sorted by (group, x)."""
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
    dup = np.r_[(gid[1:] == gid[:-1]) & (x[1:] == x[:-1]) & (y[1:] == y[:-1]), False]
    keep = np.flatnonzero(~dup)
    gid, x, y, thr, flipped = gid[keep], x[keep], y[keep], thr[keep], flipped[keep]
    hull = _upper_hulls(gid, x, y)
    return gid[hull], x[hull], y[hull], thr[hull], flipped[hull]


class Curves:
    """Per-group trade-off curves interpolated on a common grid of x values.

    Attributes (n_groups rows, grid columns): ``y`` the interpolated y value;
    ``p0`` the weight of the left hull vertex; ``t0``/``t1`` and
    ``flip0``/``flip1`` the thresholds and operators of the two vertices;
    ``pos``/``neg`` the weighted positives and negatives of every group.

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([0.9, 0.6, 0.4, 0.1, 0.8, 0.3])
    >>> labels = np.array([1, 1, 0, 0, 1, 0])
    >>> group = np.array([0, 0, 0, 0, 1, 1])
    >>> c = Curves(scores, labels, np.ones(6), group, 2, "false_positive_rate",
    ...            "true_positive_rate", False, np.linspace(0, 1, 3))
    >>> c.y.tolist()  # each group's ROC hull at FPR 0, 0.5 and 1
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
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
        gid, tp, fp, thr, flipped, pos, neg = _cut_points(
            scores, labels, weights, group, n_groups, flip
        )
        self.pos, self.neg = pos, neg
        x = curve_metric(x_metric, tp, fp, pos[gid], neg[gid])
        y = curve_metric(y_metric, tp, fp, pos[gid], neg[gid])
        gid, x, y, thr, flipped = _hull_vertices(gid, x, y, thr, flipped)
        self._interpolate(gid, x, y, thr, flipped, n_groups, x_grid)

    def _interpolate(
        self,
        gid: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        thr: np.ndarray,
        flipped: np.ndarray,
        n_groups: int,
        x_grid: np.ndarray,
    ) -> None:
        """Each group's hull at every grid value: the two vertices and weights."""
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
