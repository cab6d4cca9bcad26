"""Group fairness metrics for binary classifiers, computed from per-group counts.

The public functions copy the names, signatures, defaults and semantics of
:mod:`fairlearn.metrics` 0.15 (``selection_rate``, the four confusion-matrix
rates, ``demographic_parity_difference`` / ``_ratio`` and
``equalized_odds_difference`` / ``_ratio``), plus :func:`group_metrics`, a
one-call table of the usual per-group rates.

Every function goes through one private helper, ``_tally``, which validates the
inputs and builds the weighted confusion matrix of every group with a single
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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

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

# Cells of the per-group confusion matrix: index = 2 * y_true + y_pred.
_TN, _FP, _FN, _TP = 0, 1, 2, 3
_METHODS = ("between_groups", "to_overall")
_AGGS = ("worst_case", "mean")
_MAX_TABULATED_GROUPS = 10_000_000
_WHOLE_DATA = object()  # "no sensitive features": one group, the whole data


# --------------------------------------------------------------------------
# Validation and counting (shared by every public function)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tally:
    """Weighted confusion matrices of the observed groups.

    Attributes
    ----------
    cm : ndarray of shape (n_groups, 4)
        Weighted counts in the order true negative, false positive, false
        negative, true positive.
    rows : ndarray of shape (n_groups,) or None
        Unweighted number of rows per group (only when asked for).
    levels : list of pandas.Index
        Sorted observed values of each sensitive feature, named.
    level_codes : ndarray of shape (n_groups, n_features)
        Position of every observed group's value in each feature's ``levels``.
    """

    cm: np.ndarray
    rows: np.ndarray | None
    levels: list[pd.Index]
    level_codes: np.ndarray


def _preview(values: list[Any], limit: int = 6) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _as_1d(y: Any, name: str) -> Any:
    """Return ``y`` as a 1-D Series or ndarray, or raise."""
    if isinstance(y, (pd.Series, pd.Index)):
        # numpy-backed columns go on as arrays (zero-copy, fast paths below);
        # extension dtypes (categorical, str, nullable) stay pandas objects.
        return y.to_numpy() if isinstance(y.dtype, np.dtype) else y
    if isinstance(y, pd.DataFrame):
        raise ValueError(
            f"{name} must be 1-D; got a DataFrame of shape {y.shape}. "
            "Pass a single column, e.g. df['label']."
        )
    try:
        arr = np.asarray(y)
    except ValueError as err:  # ragged nested sequences
        raise ValueError(
            f"{name} must be a 1-D array-like of scalar values; got a ragged "
            f"nested sequence ({err})"
        ) from err
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D; got an array of shape {arr.shape}. "
            "Flatten it first (e.g. np.ravel) if it is a single column."
        )
    return arr


def _factorize(values: Any, what: str) -> tuple[np.ndarray, Any]:
    """Hash-factorise ``values``; missing values get code -1."""
    try:
        return pd.factorize(values, sort=True)
    except TypeError as err:
        raise TypeError(
            f"{what} must contain hashable, mutually sortable scalar values; "
            f"got an error while grouping them: {err}"
        ) from err


def _label_codes(y: Any, name: str) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct labels of ``y`` (as Python scalars)."""
    if isinstance(y, np.ndarray) and y.dtype.kind in "biu" and len(y):
        # Fast path for 0/1-style integer or boolean labels: no hashing.
        lo, hi = y.min().item(), y.max().item()
        if int(hi) - int(lo) <= 1:
            codes = y.astype(np.intp) - int(lo)
            return codes, [lo] if hi == lo else [lo, hi]
    codes, uniques = _factorize(y, name)
    n_missing = int(np.count_nonzero(codes < 0))
    if n_missing:
        raise ValueError(
            f"{name} must not contain missing values (NaN/None); got "
            f"{n_missing} missing of {len(codes)}. Drop those rows first."
        )
    return codes, uniques.tolist()  # Python scalars: clean reprs, plain ==


def _encode_labels(
    y_true: Any, y_pred: Any, pos_label: Any, use_y_true: bool
) -> tuple[np.ndarray | None, np.ndarray]:
    """Check the label set and return boolean 'is positive' arrays."""
    if pos_label is not None and not pd.api.types.is_scalar(pos_label):
        raise TypeError(
            f"pos_label must be a scalar label; got {type(pos_label).__name__}"
        )
    named = [("y_true", y_true), ("y_pred", y_pred)] if use_y_true else []
    named = named or [("y_pred", y_pred)]
    coded = []
    labels: dict[Any, None] = {}
    for name, y in named:
        codes, uniques = _label_codes(y, name)
        coded.append((codes, uniques))
        labels.update(dict.fromkeys(uniques))
    found = list(labels)
    where = "y_true and y_pred" if use_y_true else "y_pred"
    if len(found) > 2:
        together = " together" if use_y_true else ""
        raise ValueError(
            f"{where} must{together} contain at most two distinct labels "
            f"(binary classification); got {len(found)}: {_preview(found)}"
        )
    if pos_label is None:
        if not (all(v in (0, 1) for v in found) or all(v in (-1, 1) for v in found)):
            raise ValueError(
                f"{where} must use labels from {{0, 1}} or {{-1, 1}} when "
                f"pos_label is None (1 is then positive); got {_preview(found)}. "
                "Encode the labels as 0/1 (e.g. y == 'yes') or pass pos_label."
            )
        pos_label = 1
    elif len(found) == 2 and not any(bool(v == pos_label) for v in found):
        raise ValueError(
            f"pos_label must be one of the labels {_preview(found)} of {where}; "
            f"got {pos_label!r}. Pass the positive label as pos_label (functions "
            "without a pos_label argument use 1), or encode the labels as 0/1."
        )
    encoded = []
    for codes, uniques in coded:
        hits = [i for i, u in enumerate(uniques) if bool(u == pos_label)]
        # Comparing codes is cheaper than gathering a lookup table.
        is_pos = codes == hits[0] if hits else np.zeros(len(codes), dtype=bool)
        encoded.append(is_pos)
    if use_y_true:
        return encoded[0], encoded[1]
    return None, encoded[0]


def _check_weights(sample_weight: Any, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"sample_weight must be numeric; got values that cannot be converted "
            f"to float ({err})"
        ) from err
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D; got shape {w.shape}")
    if len(w) != n:
        raise ValueError(
            f"sample_weight must have the same length as y_true ({n}); got {len(w)}"
        )
    n_nan = int(np.count_nonzero(np.isnan(w)))
    n_inf = int(np.count_nonzero(np.isinf(w)))
    n_neg = int(np.count_nonzero(w < 0))
    if n_nan or n_inf or n_neg:
        raise ValueError(
            "sample_weight must be finite and non-negative; got "
            f"{n_neg} negative, {n_nan} NaN and {n_inf} infinite value(s)"
        )
    if not w.sum() > 0:
        raise ValueError(
            "sample_weight must have a positive sum; got all weights equal to 0"
        )
    return w


def _feature_columns(sensitive_features: Any, n: int) -> list[tuple[str, Any]]:
    """Split ``sensitive_features`` into named 1-D columns of length ``n``."""
    default = "sensitive_feature_"
    sf = sensitive_features
    if sf is None:
        raise TypeError(
            "sensitive_features must be array-like (list, array, Series, "
            "DataFrame or dict of columns); got None"
        )
    if isinstance(sf, pd.DataFrame):
        names = sf.columns.tolist()  # Python scalars, for clean messages
        columns = [(names[i], sf.iloc[:, i]) for i in range(sf.shape[1])]
        source = "DataFrame column names"
    elif isinstance(sf, pd.Series):
        name = default + "0" if sf.name is None else sf.name
        columns = [(name, sf)]
        source = "the Series name"
    elif isinstance(sf, Mapping):
        columns = [(k, _as_1d(v, f"sensitive_features[{k!r}]")) for k, v in sf.items()]
        source = "dict keys"
    elif isinstance(sf, (list, tuple)):
        if len(sf) and not pd.api.types.is_scalar(sf[0]):
            raise ValueError(
                "sensitive_features given as a list must be a flat list of "
                f"scalars (one per row); got a {type(sf[0]).__name__} as first "
                "element. Pass a DataFrame or a dict of columns for "
                "intersectional groups."
            )
        # Let pandas infer a dtype from the Python values, as MetricFrame does.
        columns = [(default + "0", pd.Series(sf, dtype=None if sf else object))]
        source = ""
    else:
        arr = np.asarray(sf)
        if arr.ndim == 1:
            columns = [(default + "0", arr)]
        elif arr.ndim == 2:
            columns = [(f"{default}{i}", arr[:, i]) for i in range(arr.shape[1])]
        else:
            raise ValueError(
                "sensitive_features must be 1-D or 2-D; got an array of shape "
                f"{arr.shape}"
            )
        source = ""
    if not columns:
        raise ValueError("sensitive_features must have at least one column; got 0")
    seen: set[str] = set()
    for name, values in columns:
        if not isinstance(name, str):
            raise TypeError(
                f"sensitive feature names ({source}) must be strings; got "
                f"{name!r} of type {type(name).__name__}. Rename them, e.g. "
                "with df.add_prefix('sf_') or series.rename('group')."
            )
        if name in seen:
            raise ValueError(
                f"sensitive feature names must be unique; got {name!r} twice"
            )
        seen.add(name)
        if len(values) != n:
            raise ValueError(
                f"sensitive_features column {name!r} must have the same length "
                f"as y_true ({n}); got {len(values)}"
            )
    return columns


def _code_feature(name: str, values: Any) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted observed values of one sensitive feature."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy()
        n_missing = int(np.count_nonzero(raw < 0))
        categories = values.cat.categories
    else:
        raw, uniques = _factorize(values, f"sensitive_features column {name!r}")
        n_missing = int(np.count_nonzero(raw < 0))
        categories = None
    if n_missing:
        raise ValueError(
            f"sensitive_features column {name!r} must not contain missing "
            f"values (NaN/None); got {n_missing} missing of {len(raw)}. Fill "
            "them with an explicit category first, e.g. "
            "series.astype(object).fillna('unknown')."
        )
    if categories is None:
        return raw.astype(np.intp, copy=False), pd.Index(list(uniques), name=name)
    # Categorical: keep the observed categories, sorted by value.
    observed = np.flatnonzero(np.bincount(raw, minlength=len(categories)))
    present = categories[observed]
    order = np.argsort(np.asarray(present), kind="stable")
    remap = np.empty(len(categories), dtype=np.intp)
    remap[observed[order]] = np.arange(len(observed))
    return remap[raw], pd.Index(list(present[order]), name=name)


def _group_codes(
    sensitive_features: Any, n: int
) -> tuple[np.ndarray, list[pd.Index], np.ndarray]:
    """Return (group code per row, levels per feature, level codes per group)."""
    columns = _feature_columns(sensitive_features, n)
    coded = [_code_feature(name, values) for name, values in columns]
    group, first_levels = coded[0]
    levels = [first_levels]
    level_codes = np.arange(len(first_levels), dtype=np.intp)[:, None]
    for codes, lev in coded[1:]:
        # Mixed radix, compressed after every column so it cannot overflow.
        group, seen = pd.factorize(group * len(lev) + codes)
        previous, current = np.divmod(seen, len(lev))
        level_codes = np.column_stack([level_codes[previous], current])
        levels.append(lev)
    return group, levels, level_codes


def _tally(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any = _WHOLE_DATA,
    sample_weight: Any = None,
    pos_label: Any = 1,
    use_y_true: bool = True,
    need_rows: bool = False,
) -> _Tally:
    """Validate the inputs and count each group's weighted confusion matrix.

    Without ``sensitive_features`` there is one group, the whole data set.
    ``use_y_true=False`` checks only the length of ``y_true`` (selection-rate
    metrics ignore it) and counts every row as a true negative/false positive.
    """
    y_pred = _as_1d(y_pred, "y_pred")
    n = len(y_pred)
    if use_y_true:
        y_true = _as_1d(y_true, "y_true")
        n_true = len(y_true)
    else:
        # Ignored apart from its length: avoid converting it.
        ndim = getattr(y_true, "ndim", None)
        if ndim is None:
            ndim = np.ndim(y_true)
        if ndim != 1:
            raise ValueError(
                f"y_true must be 1-D; got an array of shape {np.shape(y_true)}"
            )
        n_true = len(y_true)
    if n_true != n:
        raise ValueError(
            f"y_true and y_pred must have the same length; got {n_true} and {n}"
        )
    if n == 0:
        raise ValueError("y_true and y_pred must not be empty; got 0 samples")
    weights = _check_weights(sample_weight, n)
    true_pos, pred_pos = _encode_labels(y_true, y_pred, pos_label, use_y_true)

    if sensitive_features is _WHOLE_DATA:
        group = None
        levels: list[pd.Index] = []
        level_codes = np.zeros((1, 0), dtype=np.intp)
    else:
        group, levels, level_codes = _group_codes(sensitive_features, n)
    n_groups = len(level_codes)

    cell = pred_pos.astype(np.intp)
    if true_pos is not None:
        cell += 2 * true_pos
    flat = cell if group is None else 4 * group + cell
    cm = np.bincount(flat, weights=weights, minlength=4 * n_groups)
    cm = cm.reshape(n_groups, 4).astype(np.float64, copy=False)
    rows = None
    if need_rows:
        if weights is None:
            rows = cm.sum(axis=1).astype(np.int64)
        elif group is None:
            rows = np.array([n], dtype=np.int64)
        else:
            rows = np.bincount(group, minlength=n_groups).astype(np.int64)
    return _Tally(cm=cm, rows=rows, levels=levels, level_codes=level_codes)


def _check_choice(value: Any, name: str, allowed: tuple[str, ...]) -> None:
    if not (isinstance(value, str) and value in allowed):
        options = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be {options}; got {value!r}")


# --------------------------------------------------------------------------
# Rates and aggregation (pure arithmetic on the counts)
# --------------------------------------------------------------------------


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN (and no warning) where ``den`` is 0."""
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


_RATE_FORMULAS = {
    # name: (numerator cells, denominator cells), as indices into (tn, fp, fn, tp)
    "base_rate": ((_FN, _TP), (_TN, _FP, _FN, _TP)),
    "selection_rate": ((_FP, _TP), (_TN, _FP, _FN, _TP)),
    "tpr": ((_TP,), (_TP, _FN)),
    "fpr": ((_FP,), (_FP, _TN)),
    "fnr": ((_FN,), (_FN, _TP)),
    "tnr": ((_TN,), (_TN, _FP)),
    "ppv": ((_TP,), (_TP, _FP)),
    "npv": ((_TN,), (_TN, _FN)),
    "accuracy": ((_TN, _TP), (_TN, _FP, _FN, _TP)),
}


def _rates(
    cm: np.ndarray, keys: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """Per-group rates from confusion counts of shape (..., 4).

    ``keys`` limits the work to the rates asked for (all of them by default).
    """
    out = {}
    for key in keys or tuple(_RATE_FORMULAS):
        num, den = _RATE_FORMULAS[key]
        out[key] = _rate(cm[..., list(num)].sum(-1), cm[..., list(den)].sum(-1))
    return out


def _group_and_overall(tally: _Tally, key: str) -> tuple[np.ndarray, float]:
    by_group = _rates(tally.cm, (key,))[key]
    overall = float(_rates(tally.cm.sum(axis=0), (key,))[key])
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
    tally = _tally(
        y_true,
        y_pred,
        sample_weight=sample_weight,
        pos_label=pos_label,
        use_y_true=False,
    )
    return float(_rates(tally.cm[0], ("selection_rate",))["selection_rate"])


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
    tally = _tally(y_true, y_pred, sample_weight=sample_weight, pos_label=pos_label)
    return float(_rates(tally.cm[0], (key,))[key])


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
    _check_choice(method, "method", _METHODS)
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=1,
        use_y_true=False,
    )
    return _difference(*_group_and_overall(tally, "selection_rate"), method)


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
    _check_choice(method, "method", _METHODS)
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=1,
        use_y_true=False,
    )
    return _ratio(*_group_and_overall(tally, "selection_rate"), method)


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
    _check_choice(method, "method", _METHODS)
    _check_choice(agg, "agg", _AGGS)
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=None,
    )
    parts = [_difference(*_group_and_overall(tally, k), method) for k in ("tpr", "fpr")]
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
    _check_choice(method, "method", _METHODS)
    _check_choice(agg, "agg", _AGGS)
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=None,
    )
    parts = [_ratio(*_group_and_overall(tally, k), method) for k in ("tpr", "fpr")]
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
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        need_rows=True,
    )
    cm, rows, levels = tally.cm, tally.rows, tally.levels
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
        position = tally.level_codes @ strides
        full_cm = np.zeros((n_cells, 4))
        full_cm[position] = cm
        full_rows = np.zeros(n_cells, dtype=np.int64)
        full_rows[position] = rows
        cm, rows = full_cm, full_rows
        index = pd.MultiIndex.from_product(levels, names=[lev.name for lev in levels])
    rates = _rates(cm)
    data = {"count": rows} | {name: rates[name] for name in _COLUMNS}
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
    """Difference or ratio across groups of one rate of ``_RATE_FORMULAS``."""
    _check_choice(method, "method", _METHODS)
    tally = _tally(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        pos_label=pos_label,
        use_y_true=key != "selection_rate",
    )
    aggregate = _difference if kind == "difference" else _ratio
    return aggregate(*_group_and_overall(tally, key), method)


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
