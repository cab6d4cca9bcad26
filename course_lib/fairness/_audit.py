"""Black-box audits of a deployed model's outputs, with confidence intervals.

A regulator who can only query a model sees, for a sample of people, the
decisions ``y_pred`` and (after the fact) the outcomes ``y_true``. Every group
rate it may want (selection rate, true/false positive rate, ...) is then a
proportion ``x / n`` of counts, so its uncertainty has a closed form:

* :func:`~course_lib.fairness.wilson_interval`: the Wilson (1927) score interval for one
  proportion, the inversion of the score test; unlike the Wald interval it
  stays inside [0, 1] and keeps close to nominal coverage for small ``n`` or
  rates near 0 and 1.
* :func:`~course_lib.fairness.newcombe_interval`: Newcombe's (1998, method
  10) hybrid score interval for a difference of two independent proportions,
  built from the two Wilson intervals.
* ``method="bootstrap"``: percentile intervals from resampling rows within
  each group (vectorised as one multinomial draw of each group's confusion
  matrix per replicate).

:func:`audit_outputs` tabulates every group's rates with intervals,
:func:`difference_ci` gives the gap between two groups, and
:func:`audit_sample_size` says how many audited rows per group a two-sided
test needs to detect a given gap with a given power.

Counts are unweighted (an audit counts people); labels follow
:func:`~course_lib.fairness.group_metrics` (``pos_label`` is 1 by default) and a rate
with an empty denominator is NaN with a NaN interval.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm

from course_lib._checks import check_choice, check_int, check_probability
from course_lib._intervals import (
    IntervalEstimate,
    newcombe_bounds,
    wilson_bounds,
    z_value,
)
from course_lib.fairness._counting import (
    RATE_FORMULAS,
    Tally,
    group_index,
    rate,
    tally,
)

__all__ = ["audit_outputs", "audit_sample_size", "difference_ci"]

_METRICS = tuple(RATE_FORMULAS)  # base_rate, selection_rate, tpr, fpr, ...
_GROUP_METHODS = ("wilson", "bootstrap")
_DIFF_METHODS = ("newcombe", "bootstrap")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _check_metrics(metrics: Any) -> tuple[str, ...]:
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one rate; got none")
    for m in metrics:
        check_choice(m, "each metric", _METRICS)
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"metrics must not repeat a name; got {list(metrics)}")
    return metrics


def _counts(cm: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator counts of ``metric`` from cells (..., 4)."""
    num, den = RATE_FORMULAS[metric]
    return cm[..., list(num)].sum(-1), cm[..., list(den)].sum(-1)


# --------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------


def _resample_cells(cm: np.ndarray, n_bootstrap: int, rng) -> np.ndarray:
    """Bootstrap confusion matrices, shape (n_bootstrap, n_groups, 4).

    Resampling the rows of a group with replacement draws its four cell
    counts from a multinomial with the group's size and cell shares.
    """
    rows = cm.sum(axis=1)
    shares = cm / rows[:, None]
    draws = rng.multinomial(rows.astype(np.int64), shares, size=(n_bootstrap, len(cm)))
    return draws.astype(np.float64)


def _percentiles(
    values: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """NaN-skipping percentile interval along axis 0 (linear interpolation).

    A column with no defined replicate gives NaN (and no warning).
    """
    srt = np.sort(values, axis=0)  # NaN last
    k = np.sum(~np.isnan(values), axis=0)
    bounds = []
    for q in (0.5 - confidence / 2, 0.5 + confidence / 2):
        pos = q * np.maximum(k - 1, 0)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
        a = np.take_along_axis(srt, lo[None], axis=0)[0]
        b = np.take_along_axis(srt, hi[None], axis=0)[0]
        bounds.append(np.where(k > 0, a + (pos - lo) * (b - a), np.nan))
    return bounds[0], bounds[1]


# --------------------------------------------------------------------------
# Public audit functions
# --------------------------------------------------------------------------


def _sorted_groups(tallied: Tally) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Observed groups sorted by value (as ``group_metrics``), with counts."""
    order = np.lexsort(tallied.level_codes.T[::-1])
    index = group_index(tallied.levels, tallied.level_codes[order])
    return index, tallied.cm[order], tallied.rows[order]


def audit_outputs(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    metrics: tuple[str, ...] | list[str] = ("selection_rate", "tpr", "fpr"),
    confidence: float = 0.95,
    method: Literal["wilson", "bootstrap"] = "wilson",
    n_bootstrap: int = 2000,
    random_state: Any = None,
    pos_label: Any = 1,
) -> pd.DataFrame:
    """Per-group rates of a model's outputs with confidence intervals.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcomes of the audited rows.
    y_pred : array-like of shape (n,)
        The model's decisions for the same rows.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row, as in :func:`course_lib.fairness.group_metrics`;
        several columns give intersectional groups.
    metrics : sequence of str, default ("selection_rate", "tpr", "fpr")
        Any of "base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr",
        "ppv", "npv", "accuracy".
    confidence : float, default 0.95
        Nominal coverage of each interval (not simultaneous over groups).
    method : {"wilson", "bootstrap"}, default "wilson"
        Wilson score intervals, or percentile intervals from resampling the
        rows within each group.
    n_bootstrap : int, default 2000
        Bootstrap replicates (``method="bootstrap"`` only).
    random_state : int, Generator or None, default None
        Seed of the bootstrap.
    pos_label : scalar, default 1
        The positive label, as in :func:`course_lib.fairness.group_metrics`.

    Returns
    -------
    pandas.DataFrame
        One row per observed group (indexed like ``group_metrics``, without
        empty combinations). Columns: ``count`` (rows), then for each metric
        ``m``: ``m`` (estimate), ``m_lower``, ``m_upper`` and ``m_n`` (rows
        in the metric's denominator, e.g. the negatives for "fpr").

    Raises
    ------
    ValueError
        On an unknown or repeated metric, an unknown method, ``confidence``
        outside (0, 1), ``n_bootstrap`` < 1, or invalid labels or groups (see
        :func:`course_lib.fairness.group_metrics`).
    TypeError
        If ``confidence`` is not a number, or as ``group_metrics``.

    Examples
    --------
    >>> table = audit_outputs([0, 0, 1, 1, 0, 1], [1, 0, 1, 1, 0, 0],
    ...                       sensitive_features=["a", "a", "a", "b", "b", "b"],
    ...                       metrics=["selection_rate"])
    >>> table.columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['count', 'selection_rate', 'selection_rate_lower', 'selection_rate_upper',
     'selection_rate_n']
    >>> table.loc["a", ["selection_rate", "selection_rate_lower",
    ...                 "selection_rate_upper"]].round(3).tolist()
    [0.667, 0.208, 0.939]
    """
    metrics = _check_metrics(metrics)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    check_choice(method, "method", _GROUP_METHODS)
    if method == "bootstrap":
        n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=1)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        pos_label=pos_label,
        need_rows=True,
    )
    index, cm, rows = _sorted_groups(tallied)
    boot = None
    if method == "bootstrap":
        boot = _resample_cells(cm, n_bootstrap, np.random.default_rng(random_state))
    data: dict[str, np.ndarray] = {"count": rows}
    z = z_value(confidence)
    for m in metrics:
        num, den = _counts(cm, m)
        if boot is None:
            lower, upper = wilson_bounds(num, den, z)
        else:
            lower, upper = _percentiles(rate(*_counts(boot, m)), confidence)
        data[m] = rate(num, den)
        data[f"{m}_lower"] = lower
        data[f"{m}_upper"] = upper
        data[f"{m}_n"] = den.astype(np.int64)
    return pd.DataFrame(data, index=index)


def difference_ci(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    group_a: Any,
    group_b: Any,
    metric: str = "selection_rate",
    confidence: float = 0.95,
    method: Literal["newcombe", "bootstrap"] = "newcombe",
    n_bootstrap: int = 2000,
    random_state: Any = None,
    pos_label: Any = 1,
) -> IntervalEstimate:
    """Confidence interval for the gap ``metric(group_a) - metric(group_b)``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Outcomes and decisions, as in :func:`audit_outputs`.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group of each row.
    group_a, group_b : scalar or tuple
        The two groups compared: values of the sensitive feature, or tuples
        of values for several features.
    metric : str, default "selection_rate"
        One of the metrics of :func:`audit_outputs`.
    confidence : float, default 0.95
        Nominal coverage, in (0, 1).
    method : {"newcombe", "bootstrap"}, default "newcombe"
        Newcombe's hybrid score interval, or a percentile bootstrap that
        resamples the rows of each group independently.
    n_bootstrap : int, default 2000
        Bootstrap replicates (``method="bootstrap"`` only).
    random_state : int, Generator or None, default None
        Seed of the bootstrap.
    pos_label : scalar, default 1
        The positive label.

    Returns
    -------
    IntervalEstimate
        ``(estimate, lower, upper)``; NaN if either group's rate is undefined.

    Raises
    ------
    ValueError
        If a group is not present, the groups are equal, or as
        :func:`audit_outputs`.
    TypeError
        As :func:`audit_outputs`.

    Examples
    --------
    >>> y_pred = [1] * 56 + [0] * 14 + [1] * 48 + [0] * 32
    >>> group = ["a"] * 70 + ["b"] * 80
    >>> est = difference_ci([0] * 150, y_pred, sensitive_features=group,
    ...                     group_a="a", group_b="b")
    >>> [round(v, 4) for v in est]
    [0.2, 0.0524, 0.3339]
    """
    check_choice(metric, "metric", _METRICS)
    confidence = check_probability(confidence, "confidence", open_interval=True)
    check_choice(method, "method", _DIFF_METHODS)
    if method == "bootstrap":
        n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=1)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        pos_label=pos_label,
        need_rows=True,
    )
    index, all_cm, _ = _sorted_groups(tallied)
    positions = []
    for name, group in (("group_a", group_a), ("group_b", group_b)):
        try:
            pos = int(index.get_indexer(pd.Index([group], tupleize_cols=False))[0])
        except (TypeError, ValueError):
            pos = -1
        if pos < 0:
            shown = ", ".join(repr(g) for g in index.tolist()[:6])
            more = ", ..." if len(index) > 6 else ""
            raise ValueError(
                f"{name} must be one of the observed groups [{shown}{more}]; "
                f"got {group!r}"
            )
        positions.append(pos)
    if positions[0] == positions[1]:
        raise ValueError(f"group_a and group_b must differ; got {group_a!r} twice")
    cm = all_cm[positions]
    (x1, x2), (n1, n2) = _counts(cm, metric)
    if method == "newcombe":
        d, lower, upper = newcombe_bounds(x1, n1, x2, n2, z_value(confidence))
        return IntervalEstimate(float(d), float(lower), float(upper))
    boot = _resample_cells(cm, n_bootstrap, np.random.default_rng(random_state))
    rates = rate(*_counts(boot, metric))
    d = float(rate(x1, n1) - rate(x2, n2))
    lower, upper = _percentiles(rates[:, 0] - rates[:, 1], confidence)
    if np.isnan(d):
        return IntervalEstimate(d, float("nan"), float("nan"))
    return IntervalEstimate(d, float(lower), float(upper))


def audit_sample_size(
    gap: float,
    confidence: float = 0.95,
    power: float = 0.8,
    *,
    base_rate: float | None = None,
) -> int:
    """Rows per group an audit needs to detect a gap between two rates.

    The two-sided test of equal proportions at level ``1 - confidence``
    (pooled score test, the square of which is the chi-squared test) detects
    rates ``p1`` and ``p2 = p1 + gap`` with probability ``power`` when each
    group has

    ``n = (z_a sqrt(2 pbar (1 - pbar)) + z_b sqrt(p1 q1 + p2 q2))^2 / gap^2``

    rows, ``z_a`` the ``1 - (1 - confidence) / 2`` and ``z_b`` the ``power``
    normal quantiles, ``pbar = (p1 + p2) / 2`` (Fleiss, *Statistical Methods
    for Rates and Proportions*).

    Parameters
    ----------
    gap : float
        Difference of rates to detect, in (0, 1).
    confidence : float, default 0.95
        One minus the test's false-alarm rate, in (0, 1).
    power : float, default 0.8
        Probability of detecting the gap, in (0, 1).
    base_rate : float, optional
        The lower rate ``p1``. By default the worst case: the rates sit
        symmetrically around 0.5 (``p1 = 0.5 - gap / 2``), which needs the
        most rows.

    Returns
    -------
    int
        Rows per group *in the metric's denominator*: for a false positive
        rate, negatives per group, so about ``n / P(y = 0 | group)`` queries.

    Raises
    ------
    ValueError
        If a probability is outside (0, 1) or ``base_rate + gap > 1``.
    TypeError
        If an argument is not a number.

    Examples
    --------
    >>> audit_sample_size(0.1)
    392
    >>> audit_sample_size(0.1, base_rate=0.1)
    199
    """
    gap = check_probability(gap, "gap", open_interval=True)
    alpha = 1 - check_probability(confidence, "confidence", open_interval=True)
    power = check_probability(power, "power", open_interval=True)
    if base_rate is None:
        p1 = 0.5 - gap / 2
    else:
        p1 = check_probability(base_rate, "base_rate", open_interval=True)
        if p1 + gap >= 1:
            raise ValueError(
                f"base_rate + gap must be below 1; got {p1!r} + {gap!r} = {p1 + gap!r}"
            )
    p2 = p1 + gap
    pbar = (p1 + p2) / 2
    z_a = norm.ppf(1 - alpha / 2)
    z_b = norm.ppf(power)
    root = z_a * np.sqrt(2 * pbar * (1 - pbar)) + z_b * np.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return int(np.ceil(root**2 / gap**2 - 1e-9))
