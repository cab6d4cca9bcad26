"""Group fairness metrics for binary classifiers, computed from per-group counts.

The public functions copy the names, signatures, defaults and semantics of
:mod:`fairlearn.metrics` 0.15 (``selection_rate``, the four confusion-matrix
rates, ``demographic_parity_difference`` / ``_ratio`` and
``equalized_odds_difference`` / ``_ratio``), plus :func:`group_metrics`, a
one-call table of the usual per-group rates.

Every function goes through the counting engine
(:func:`course_lib.fairness._counting.tally`), which validates the inputs and
builds the weighted confusion matrix of every group with a single
:func:`numpy.bincount` over ``4 * group + 2 * y_true + y_pred``. All metrics are
ratios of those counts, so they cost the same as counting the data once.

Conventions (where fairlearn warns, is silent about something odd, or where a
choice had to be made):

* **Zero denominators give NaN, silently.** A rate whose denominator is zero
  (the true positive rate of a group with no positives, the false positive rate
  of a group with no negatives, any rate of a group whose weights are all zero)
  is ``nan`` and no ``RuntimeWarning`` is emitted. fairlearn 0.15 returns
  ``0.0`` for such true/false positive/negative rates (scikit-learn's
  ``confusion_matrix(normalize="true")`` maps 0/0 to 0), which makes an empty
  cell look like the worst possible rate.
* **Aggregates skip undefined groups.** Differences and ratios are taken over
  the groups whose rate is defined, as pandas' ``skipna`` does in fairlearn's
  ``MetricFrame`` for empty intersections; if no group is defined the result is
  ``nan``. A ratio whose largest rate is 0 (0/0) is ``nan``, as in fairlearn.
* **Equalized odds with ``agg="worst_case"``** ignores a component (TPR or FPR
  disparity) that is undefined and returns ``nan`` only if both are, matching
  ``agg="mean"``, which fairlearn computes with pandas' NaN-skipping mean.
  (fairlearn's built-in ``max``/``min`` gives an order-dependent answer when one
  of the two is NaN.)
* **Labels.** ``y_true`` and ``y_pred`` must be binary: at most two distinct
  labels between them. With ``pos_label=None`` (the default of the four rates
  and of equalized odds, as in fairlearn) the labels must be a subset of
  ``{0, 1}`` or ``{-1, 1}`` and 1 is positive; with an explicit ``pos_label``,
  it must be one of the labels whenever two labels are present. For
  ``selection_rate`` and demographic parity only ``y_pred`` is inspected
  (``y_true`` is ignored apart from its length, as in fairlearn) and it must
  satisfy the same rules with the function's ``pos_label`` (always 1 for
  demographic parity); fairlearn instead silently returns 0 when, say,
  ``y_pred`` holds the strings ``"yes"``/``"no"`` or probabilities.
* **Inputs are aligned by position**, never by pandas index. ``y_true`` and
  ``y_pred`` must be 1-D (a one-column 2-D array is rejected rather than
  squeezed) and free of missing values; sensitive features must be free of
  missing values (as in fairlearn); sample weights must be finite,
  non-negative and not all zero.
* **Groups** are the observed values of the sensitive feature(s), sorted by
  value like ``MetricFrame`` sorts them (for a categorical column this is the
  order of the values, not of the categories; unobserved categories are
  dropped). With several sensitive features, :func:`group_metrics` lists every
  combination of observed values, like ``MetricFrame.by_group``; empty
  combinations have ``count`` 0 and NaN rates (``MetricFrame`` shows NaN for the
  count too) and are ignored by the scalar metrics.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib._checks import check_choice
from course_lib.fairness._counting import Tally, rates, tally

__all__ = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_negative_rate_difference",
    "false_negative_rate_ratio",
    "false_positive_rate",
    "false_positive_rate_difference",
    "false_positive_rate_ratio",
    "group_metrics",
    "selection_rate",
    "selection_rate_difference",
    "selection_rate_ratio",
    "true_negative_rate",
    "true_negative_rate_difference",
    "true_negative_rate_ratio",
    "true_positive_rate",
    "true_positive_rate_difference",
    "true_positive_rate_ratio",
]

Method = Literal["between_groups", "to_overall"]
Agg = Literal["worst_case", "mean"]

_METHODS = ("between_groups", "to_overall")
_AGGS = ("worst_case", "mean")
_MAX_TABULATED_GROUPS = 10_000_000


# --------------------------------------------------------------------------
# Rates and aggregation (pure arithmetic on the counts)
# --------------------------------------------------------------------------


def _group_and_overall(tallied: Tally, key: str) -> tuple[np.ndarray, float]:
    by_group = rates(tallied.cm, (key,))[key]
    overall = float(rates(tallied.cm.sum(axis=0), (key,))[key])
    return by_group, overall


def _difference(by_group: np.ndarray, overall: float, method: str) -> float:
    values = by_group[~np.isnan(by_group)]
    if values.size == 0:
        return float("nan")
    if method == "between_groups":
        return float(values.max() - values.min())
    return float(np.max(np.abs(values - overall)))  # NaN if overall is NaN


def _ratio(by_group: np.ndarray, overall: float, method: str) -> float:
    values = by_group[~np.isnan(by_group)]
    if values.size == 0:
        return float("nan")
    if method == "between_groups":
        largest = values.max()
        return float(values.min() / largest) if largest > 0 else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = values / overall
        ratios = np.where(ratios > 1, 1 / ratios, ratios)
    ratios = ratios[~np.isnan(ratios)]
    return float(ratios.min()) if ratios.size else float("nan")


def _combine(values: list[float], agg: str, reduce: Any) -> float:
    """Worst case (``reduce``) or mean of the defined values; NaN if none."""
    arr = np.array(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return float("nan")
    return float(reduce(arr) if agg == "worst_case" else arr.mean())


# --------------------------------------------------------------------------
# Base metrics
# --------------------------------------------------------------------------


def selection_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
) -> float:
    """Fraction of predictions equal to ``pos_label`` (weighted).

    Same signature and meaning as ``fairlearn.metrics.selection_rate``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Ignored apart from its length, which must match ``y_pred``.
    y_pred : array-like of shape (n,)
        Predicted labels: at most two distinct values and no missing values.
    pos_label : scalar, default 1
        The label counted as selected. If ``y_pred`` holds two labels,
        ``pos_label`` must be one of them. ``None`` means 1, with the labels
        restricted to {0, 1} or {-1, 1}.
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float
        Weighted share of rows with ``y_pred == pos_label``.

    Raises
    ------
    ValueError
        On mismatched lengths, empty or 2-D input, missing values, more than
        two labels, a ``pos_label`` that is not one of two labels, or invalid
        sample weights.
    TypeError
        If ``pos_label`` is not a scalar or ``sample_weight`` is not numeric.

    Examples
    --------
    >>> selection_rate([0, 0, 1, 1], [1, 0, 1, 1])
    0.75
    >>> selection_rate([0, 0, 1], ["no", "yes", "yes"], pos_label="yes")
    0.6666666666666666
    """
    fast = _plain_selection_rate(y_true, y_pred, pos_label, sample_weight)
    if fast is not None:
        return fast
    tallied = tally(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        pos_label=pos_label,
        use_y_true=False,
    )
    return float(rates(tallied.cm[0], ("selection_rate",))["selection_rate"])


def _plain_selection_rate(
    y_true: Any, y_pred: Any, pos_label: Any, sample_weight: Any
) -> float | None:
    """The common case (unweighted 0/1 integer arrays) without the full tally.

    Returns None whenever the inputs need the general path, which also owns
    every error message.
    """
    if not (
        sample_weight is None
        and pos_label is not None
        and isinstance(y_pred, np.ndarray)
        and y_pred.ndim == 1
        and y_pred.dtype.kind in "biu"
        and len(y_pred) > 0
        and np.ndim(y_true) == 1
        and len(y_true) == len(y_pred)
    ):
        return None
    lo, hi = y_pred.min(), y_pred.max()
    if int(hi) - int(lo) > 1 or (lo != hi and pos_label not in (lo, hi)):
        return None
    return float(np.count_nonzero(y_pred == pos_label) / len(y_pred))


def _single_rate(
    y_true: Any, y_pred: Any, sample_weight: Any, pos_label: Any, key: str
) -> float:
    tallied = tally(y_true, y_pred, sample_weight=sample_weight, pos_label=pos_label)
    return float(rates(tallied.cm[0], (key,))[key])


_RATE_DOC = """Calculate the {long} of a binary classifier: {formula}.

    Same signature and label rules as ``fairlearn.metrics.{fname}``, except that
    a zero denominator ({empty}) gives NaN instead of fairlearn's 0.0.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    y_pred : array-like of shape (n,)
        Predicted labels. Together with ``y_true`` at most two distinct labels,
        no missing values.
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.
    pos_label : scalar, optional
        The positive label. If None (the default) the labels must be a subset
        of {{0, 1}} or {{-1, 1}} and 1 is positive; otherwise, when two labels
        are present, ``pos_label`` must be one of them.

    Returns
    -------
    float
        The (weighted) {long}, or NaN if {empty}.

    Raises
    ------
    ValueError
        On mismatched lengths, empty or 2-D input, missing values, more than
        two labels, labels incompatible with ``pos_label``, or invalid weights.
    TypeError
        If ``pos_label`` is not a scalar or ``sample_weight`` is not numeric.

    Examples
    --------
    >>> {fname}([1, 1, 1, 0, 0], [1, 1, 0, 1, 0])
    {example}
    >>> {fname}(["a", "b", "b"], ["b", "b", "a"], pos_label="b")
    {example_str}
    """


def true_positive_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
) -> float:
    return _single_rate(y_true, y_pred, sample_weight, pos_label, "tpr")


def true_negative_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
) -> float:
    return _single_rate(y_true, y_pred, sample_weight, pos_label, "tnr")


def false_positive_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
) -> float:
    return _single_rate(y_true, y_pred, sample_weight, pos_label, "fpr")


def false_negative_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
) -> float:
    return _single_rate(y_true, y_pred, sample_weight, pos_label, "fnr")


true_positive_rate.__doc__ = _RATE_DOC.format(
    long="true positive rate (recall, sensitivity)",
    formula="TP / (TP + FN)",
    fname="true_positive_rate",
    empty="no row has a positive true label",
    example="0.6666666666666666",
    example_str="0.5",
)
true_negative_rate.__doc__ = _RATE_DOC.format(
    long="true negative rate (specificity)",
    formula="TN / (TN + FP)",
    fname="true_negative_rate",
    empty="no row has a negative true label",
    example="0.5",
    example_str="0.0",
)
false_positive_rate.__doc__ = _RATE_DOC.format(
    long="false positive rate (fall-out)",
    formula="FP / (FP + TN)",
    fname="false_positive_rate",
    empty="no row has a negative true label",
    example="0.5",
    example_str="1.0",
)
false_negative_rate.__doc__ = _RATE_DOC.format(
    long="false negative rate (miss rate)",
    formula="FN / (FN + TP)",
    fname="false_negative_rate",
    empty="no row has a positive true label",
    example="0.3333333333333333",
    example_str="0.5",
)


# --------------------------------------------------------------------------
# Disparity metrics
# --------------------------------------------------------------------------

_SHARED_PARAMS = """y_true : array-like of shape (n,)
        True labels.
    y_pred : array-like of shape (n,)
        Predicted labels.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group membership of each row (aligned by position). A list, 1-D array
        or Series gives one feature; a DataFrame, dict of columns or 2-D array
        gives intersectional groups (every observed combination). No missing
        values.
    method : {"between_groups", "to_overall"}, default "between_groups"
        ``"between_groups"`` compares the groups with each other;
        ``"to_overall"`` compares each group with the whole data set."""


def demographic_parity_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
) -> float:
    """Largest gap in selection rate ``P(h(X) = 1 | A = a)`` across groups.

    Same signature and meaning as
    ``fairlearn.metrics.demographic_parity_difference``: the selection rate of
    each group uses ``pos_label=1``; ``y_true`` is ignored apart from its length.

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float
        ``max - min`` of the group selection rates (``"between_groups"``) or the
        largest ``|group rate - overall rate|`` (``"to_overall"``). Groups whose
        weights are all zero are skipped; NaN if no group is left.

    Raises
    ------
    ValueError
        On an unknown ``method``, mismatched lengths, empty or 2-D input,
        missing values, more than two labels in ``y_pred``, two labels neither
        of which is 1, duplicate feature names, or invalid sample weights.
    TypeError
        If a sensitive feature name is not a string or a value is unhashable.

    Examples
    --------
    >>> y_pred = [1, 1, 0, 1, 0, 0]
    >>> group = ["a", "a", "a", "b", "b", "b"]
    >>> round(demographic_parity_difference(
    ...     [0] * 6, y_pred, sensitive_features=group), 4)
    0.3333
    >>> round(demographic_parity_difference(
    ...     [0] * 6, y_pred, sensitive_features=group, method="to_overall"), 4)
    0.1667
    """
    check_choice(method, "method", _METHODS)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=1,
        use_y_true=False,
    )
    return _difference(*_group_and_overall(tallied, "selection_rate"), method)


def demographic_parity_ratio(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
) -> float:
    """Smallest ratio of selection rates across groups (1 means parity).

    Same signature and meaning as ``fairlearn.metrics.demographic_parity_ratio``.

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float
        ``min / max`` of the group selection rates (``"between_groups"``), or
        the smallest of ``group rate / overall rate`` taken as a number at most
        1 (``"to_overall"``). NaN when the largest rate is 0 (0/0).

    Raises
    ------
    ValueError
        As :func:`demographic_parity_difference`.
    TypeError
        As :func:`demographic_parity_difference`.

    Examples
    --------
    >>> y_pred = [1, 1, 0, 1, 0, 0]
    >>> group = ["a", "a", "a", "b", "b", "b"]
    >>> demographic_parity_ratio([0] * 6, y_pred, sensitive_features=group)
    0.5
    """
    check_choice(method, "method", _METHODS)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=1,
        use_y_true=False,
    )
    return _ratio(*_group_and_overall(tallied, "selection_rate"), method)


def equalized_odds_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
    agg: Agg = "worst_case",
) -> float:
    """Disparity in true and false positive rates across groups.

    Same signature and meaning as ``fairlearn.metrics.equalized_odds_difference``
    (labels must be {0, 1} or {-1, 1}, 1 positive). The TPR difference and the
    FPR difference are computed as in :func:`demographic_parity_difference`;
    groups with no positives (no negatives) are skipped for the TPR (FPR).

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.
    agg : {"worst_case", "mean"}, default "worst_case"
        Return the larger of the two differences, or their mean. An undefined
        (NaN) difference is ignored in both cases.

    Returns
    -------
    float
        The equalized odds difference (0 means equal TPR and FPR everywhere).

    Raises
    ------
    ValueError
        On an unknown ``method`` or ``agg``, mismatched lengths, empty or 2-D
        input, missing values, labels outside {0, 1} / {-1, 1}, duplicate
        feature names, or invalid sample weights.
    TypeError
        If a sensitive feature name is not a string or a value is unhashable.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a"] * 4 + ["b"] * 4
    >>> equalized_odds_difference(y_true, y_pred, sensitive_features=group)
    0.5
    >>> equalized_odds_difference(
    ...     y_true, y_pred, sensitive_features=group, agg="mean")
    0.5
    """
    check_choice(method, "method", _METHODS)
    check_choice(agg, "agg", _AGGS)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=None,
    )
    parts = [
        _difference(*_group_and_overall(tallied, k), method) for k in ("tpr", "fpr")
    ]
    return _combine(parts, agg, np.max)


def equalized_odds_ratio(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
    agg: Agg = "worst_case",
) -> float:
    """Smallest ratio of true and false positive rates across groups.

    Same signature and meaning as ``fairlearn.metrics.equalized_odds_ratio``.

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.
    agg : {"worst_case", "mean"}, default "worst_case"
        Return the smaller of the TPR and FPR ratios, or their mean. An
        undefined (NaN) ratio is ignored in both cases.

    Returns
    -------
    float
        The equalized odds ratio (1 means equal TPR and FPR everywhere).

    Raises
    ------
    ValueError
        As :func:`equalized_odds_difference`.
    TypeError
        As :func:`equalized_odds_difference`.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a"] * 4 + ["b"] * 4
    >>> equalized_odds_ratio(y_true, y_pred, sensitive_features=group)
    0.0
    >>> equalized_odds_ratio(y_true, y_pred, sensitive_features=group, agg="mean")
    0.25
    """
    check_choice(method, "method", _METHODS)
    check_choice(agg, "agg", _AGGS)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=None,
    )
    parts = [_ratio(*_group_and_overall(tallied, k), method) for k in ("tpr", "fpr")]
    return _combine(parts, agg, np.min)


for _func in (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
):
    _func.__doc__ = _func.__doc__.replace("{shared}", _SHARED_PARAMS)


# --------------------------------------------------------------------------
# Per-group table
# --------------------------------------------------------------------------

_COLUMNS = (
    "base_rate",
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "ppv",
    "npv",
    "accuracy",
)


def group_metrics(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = 1,
) -> pd.DataFrame:
    """Table of the usual binary-classification rates for every group.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    y_pred : array-like of shape (n,)
        Predicted labels; together with ``y_true`` at most two distinct labels.
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group membership of each row (aligned by position). A list, 1-D array
        or Series gives one feature; a DataFrame, dict of columns or 2-D array
        gives intersectional groups. No missing values.
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero. Used by every rate but not
        by ``count``.
    pos_label : scalar, default 1
        The positive label. When two labels are present it must be one of them;
        ``None`` means 1 with labels restricted to {0, 1} or {-1, 1}.

    Returns
    -------
    pandas.DataFrame
        One row per group, indexed (and sorted) like ``MetricFrame.by_group``:
        an Index named after the feature for one feature, a MultiIndex over
        every combination of observed values for several. Unnamed features are
        called ``sensitive_feature_0``, ``sensitive_feature_1``, ... Columns:
        ``count`` (unweighted rows), ``base_rate`` (share of positive true
        labels), ``selection_rate``, ``tpr``, ``fpr``, ``fnr``, ``ppv``,
        ``npv`` and ``accuracy``. A rate with a zero denominator is NaN (no
        warning); empty combinations have count 0.

    Raises
    ------
    ValueError
        On mismatched lengths, empty or 2-D input, missing values in ``y`` or
        in a sensitive feature, more than two labels, a ``pos_label`` that is
        not one of two labels, duplicate feature names, or invalid weights.
    TypeError
        If a sensitive feature name is not a string, a value is unhashable,
        ``pos_label`` is not a scalar or ``sample_weight`` is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> sex = pd.Series(["f", "f", "f", "m", "m", "m"], name="sex")
    >>> table = group_metrics([1, 0, 1, 0, 0, 1], [1, 1, 0, 0, 0, 1],
    ...                       sensitive_features=sex)
    >>> cols = ["count", "selection_rate", "tpr", "fpr"]
    >>> table[cols]  # doctest: +NORMALIZE_WHITESPACE
         count  selection_rate  tpr  fpr
    sex
    f        3        0.666667  0.5  1.0
    m        3        0.333333  1.0  0.0
    """
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        need_rows=True,
    )
    cm, rows, levels = tallied.cm, tallied.rows, tallied.levels
    if len(levels) == 1:
        index: pd.Index = levels[0]
    else:
        sizes = np.array([len(lev) for lev in levels], dtype=np.int64)
        n_cells = int(np.prod(sizes.astype(float)))
        if n_cells > _MAX_TABULATED_GROUPS:
            raise ValueError(
                "sensitive_features must define at most "
                f"{_MAX_TABULATED_GROUPS:,} combinations to tabulate; got "
                f"{n_cells:,}. Use fewer or coarser features."
            )
        strides = np.cumprod(np.r_[sizes[1:], 1][::-1])[::-1]
        position = tallied.level_codes @ strides
        full_cm = np.zeros((n_cells, 4))
        full_cm[position] = cm
        full_rows = np.zeros(n_cells, dtype=np.int64)
        full_rows[position] = rows
        cm, rows = full_cm, full_rows
        index = pd.MultiIndex.from_product(levels, names=[lev.name for lev in levels])
    by_rate = rates(cm)
    data = {"count": rows} | {name: by_rate[name] for name in _COLUMNS}
    return pd.DataFrame(data, index=index)


# --------------------------------------------------------------------------
# Equal opportunity and the per-rate differences and ratios
# --------------------------------------------------------------------------


def _rate_disparity(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    pos_label: Any,
    key: str,
    kind: str,
) -> float:
    """Difference or ratio across groups of one rate of ``RATE_FORMULAS``."""
    check_choice(method, "method", _METHODS)
    tallied = tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        use_y_true=key != "selection_rate",
    )
    aggregate = _difference if kind == "difference" else _ratio
    return aggregate(*_group_and_overall(tallied, key), method)


def equal_opportunity_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
) -> float:
    """Largest gap in true positive rate ``P(h(X) = 1 | A = a, Y = 1)``.

    Same signature and meaning as
    ``fairlearn.metrics.equal_opportunity_difference`` (labels must be {0, 1}
    or {-1, 1}, 1 positive), except that a group without positives is skipped
    instead of counting as a true positive rate of 0 (see the module notes).

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float
        ``max - min`` of the group true positive rates (``"between_groups"``)
        or the largest ``|group TPR - overall TPR|`` (``"to_overall"``); NaN
        if no group has a positive.

    Raises
    ------
    ValueError
        As :func:`equalized_odds_difference`.
    TypeError
        As :func:`equalized_odds_difference`.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a"] * 4 + ["b"] * 4
    >>> equal_opportunity_difference(y_true, y_pred, sensitive_features=group)
    0.5
    """
    return _rate_disparity(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        method=method,
        sample_weight=sample_weight,
        pos_label=None,
        key="tpr",
        kind="difference",
    )


def equal_opportunity_ratio(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: ArrayLike | None = None,
) -> float:
    """Smallest ratio of true positive rates across groups (1 means parity).

    Same signature and meaning as ``fairlearn.metrics.equal_opportunity_ratio``
    (labels must be {0, 1} or {-1, 1}, 1 positive), except that a group
    without positives is skipped instead of counting as a rate of 0.

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.

    Returns
    -------
    float
        ``min / max`` of the group true positive rates (``"between_groups"``),
        or the smallest ``group TPR / overall TPR`` taken as a number at most 1
        (``"to_overall"``). NaN when the largest rate is 0 or no group has a
        positive.

    Raises
    ------
    ValueError
        As :func:`equalized_odds_difference`.
    TypeError
        As :func:`equalized_odds_difference`.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a"] * 4 + ["b"] * 4
    >>> equal_opportunity_ratio(y_true, y_pred, sensitive_features=group)
    0.5
    """
    return _rate_disparity(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        method=method,
        sample_weight=sample_weight,
        pos_label=None,
        key="tpr",
        kind="ratio",
    )


for _func in (equal_opportunity_difference, equal_opportunity_ratio):
    _func.__doc__ = _func.__doc__.replace("{shared}", _SHARED_PARAMS)


_DERIVED_DOC = """{title}

    Same signature and meaning as ``fairlearn.metrics.{fname}`` (which
    fairlearn generates with ``make_derived_metric`` from ``{base}``){nan_note}

    Parameters
    ----------
    {shared}
    sample_weight : array-like of shape (n,), optional
        Non-negative, finite weights, not all zero.
    pos_label : scalar, default {pos_default}
        Passed on to ``{base}``: {pos_doc}

    Returns
    -------
    float
        {returns} Groups whose rate is undefined are skipped; NaN if none is
        left{ratio_nan}.

    Raises
    ------
    ValueError
        On an unknown ``method``, mismatched lengths, empty or 2-D input,
        missing values, more than two labels, labels incompatible with
        ``pos_label``, duplicate feature names, or invalid sample weights.
    TypeError
        If a sensitive feature name is not a string, a value is unhashable,
        ``pos_label`` is not a scalar or ``sample_weight`` is not numeric.

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a"] * 4 + ["b"] * 4
    >>> {fname}(y_true, y_pred, sensitive_features=group)
    {example}
    """

_DERIVED_RATES = {
    # key: (base function name, long name, "undefined when ...")
    "tpr": ("true_positive_rate", "true positive rate", "no positive"),
    "tnr": ("true_negative_rate", "true negative rate", "no negative"),
    "fpr": ("false_positive_rate", "false positive rate", "no negative"),
    "fnr": ("false_negative_rate", "false negative rate", "no positive"),
    "selection_rate": ("selection_rate", "selection rate", ""),
}


def _make_derived(key: str, kind: str) -> Any:
    """Build ``<rate>_difference`` or ``<rate>_ratio`` like fairlearn does."""
    base, long, undefined = _DERIVED_RATES[key]
    selection = key == "selection_rate"
    default_pos = 1 if selection else None

    def derived(
        y_true: ArrayLike,
        y_pred: ArrayLike,
        *,
        sensitive_features: Any,
        method: Method = "between_groups",
        sample_weight: ArrayLike | None = None,
        pos_label: Any = default_pos,
    ) -> float:
        return _rate_disparity(
            y_true,
            y_pred,
            sensitive_features=sensitive_features,
            method=method,
            sample_weight=sample_weight,
            pos_label=pos_label,
            key=key,
            kind=kind,
        )

    fname = f"{base}_{kind}"
    derived.__name__ = derived.__qualname__ = fname
    derived.__module__ = __name__
    if kind == "difference":
        title = f"Largest gap in {long} across groups (0 means parity)."
        returns = (
            f'``max - min`` of the group {long}s (``"between_groups"``) or '
            f'the largest ``|group rate - overall rate|`` (``"to_overall"``).'
        )
        ratio_nan = ""
    else:
        title = f"Smallest ratio of {long}s across groups (1 means parity)."
        returns = (
            f'``min / max`` of the group {long}s (``"between_groups"``), or '
            "the smallest ``group rate / overall rate`` taken as a number at "
            'most 1 (``"to_overall"``).'
        )
        ratio_nan = " or the largest rate is 0"
    if selection:
        nan_note = (
            ": ``y_true`` is ignored apart from its length and only ``y_pred`` "
            "is checked against ``pos_label``."
        )
        pos_doc = (
            "the label counted as selected; if ``y_pred`` holds two labels it "
            "must be one of them. ``None`` means 1 with labels restricted to "
            "{0, 1} or {-1, 1}."
        )
    else:
        nan_note = (
            f", except that a group with {undefined} true label is skipped "
            "instead of counting as a rate of 0 (see the module notes)."
        )
        pos_doc = (
            "``None`` means 1 with labels restricted to {0, 1} or {-1, 1}; "
            "otherwise, when two labels are present, it must be one of them."
        )
    derived.__doc__ = _DERIVED_DOC.format(
        title=title,
        fname=fname,
        base=base,
        nan_note=nan_note,
        shared=_SHARED_PARAMS,
        pos_default=default_pos,
        pos_doc=pos_doc,
        returns=returns,
        ratio_nan=ratio_nan,
        example="{example}",
    )
    return derived


true_positive_rate_difference = _make_derived("tpr", "difference")
true_positive_rate_ratio = _make_derived("tpr", "ratio")
true_negative_rate_difference = _make_derived("tnr", "difference")
true_negative_rate_ratio = _make_derived("tnr", "ratio")
false_positive_rate_difference = _make_derived("fpr", "difference")
false_positive_rate_ratio = _make_derived("fpr", "ratio")
false_negative_rate_difference = _make_derived("fnr", "difference")
false_negative_rate_ratio = _make_derived("fnr", "ratio")
selection_rate_difference = _make_derived("selection_rate", "difference")
selection_rate_ratio = _make_derived("selection_rate", "ratio")

for _func, _example in (
    (true_positive_rate_difference, "0.5"),
    (true_positive_rate_ratio, "0.5"),
    (true_negative_rate_difference, "0.5"),
    (true_negative_rate_ratio, "0.5"),
    (false_positive_rate_difference, "0.5"),
    (false_positive_rate_ratio, "0.0"),
    (false_negative_rate_difference, "0.5"),
    (false_negative_rate_ratio, "0.0"),
    (selection_rate_difference, "0.5"),
    (selection_rate_ratio, "0.3333333333333333"),
):
    _func.__doc__ = _func.__doc__.replace("{example}", _example)
