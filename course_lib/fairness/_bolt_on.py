"""Bolt-on randomisation (Kearns and Roth, *The Ethical Algorithm*, ch. 2).

Randomise the predictions of one group to pull its rate towards the others,
at a cost in error: :func:`bolt_on_randomization` draws the randomised
predictions, and :func:`bolt_on_frontier` computes their expected error and
unfairness exactly; both move linearly in the randomisation probability.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib._checks import (
    as_binary_1d,
    as_float_1d,
    check_choice,
    check_probability,
    check_sample_weight,
)
from course_lib.fairness._counting import group_codes, group_index, rate

__all__ = ["bolt_on_frontier", "bolt_on_randomization"]

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
    check_choice(metric, "metric", _BOLT_ON_METRICS)
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
