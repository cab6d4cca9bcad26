"""The counting engine of the fairness metrics: validate, code groups, tally.

Every group metric of :mod:`course_lib.fairness` is a ratio of weighted
confusion-matrix counts. :func:`tally` validates ``y_true``, ``y_pred``, the
sensitive features and the sample weights, and builds the confusion matrix of
every group with a single :func:`numpy.bincount` over
``4 * group + 2 * y_true + y_pred``; so a metric costs the same as counting the
data once. The pieces are shared by the metrics, the audits, reweighing, the
reductions and post-processing: :func:`feature_columns` and
:func:`group_codes` code the sensitive features into groups (sorted by value),
:func:`label_codes` codes labels, and :func:`rate` / :data:`RATE_FORMULAS` turn
counts into rates (NaN, without a warning, for an empty denominator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from course_lib._checks import as_1d, check_sample_weight

# Cells of the per-group confusion matrix: index = 2 * y_true + y_pred.
_TN, _FP, _FN, _TP = 0, 1, 2, 3
_WHOLE_DATA = object()  # "no sensitive features": one group, the whole data


@dataclass(frozen=True)
class Tally:
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
    """The first ``limit`` values as a short list for an error message."""
    shown = ", ".join(repr(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def factorize(values: Any, what: str) -> tuple[np.ndarray, Any]:
    """Hash-factorise ``values`` into sorted uniques; missing values get code -1.

    A TypeError naming ``what`` if the values cannot be hashed or sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> codes, uniques = factorize(pd.Series([3, 1, None, 3]), "group")
    >>> codes.tolist(), uniques.tolist()
    ([1, 0, -1, 1], [1.0, 3.0])
    """
    try:
        return pd.factorize(values, sort=True)
    except TypeError as err:
        raise TypeError(
            f"{what} must contain hashable, mutually sortable scalar values; "
            f"got an error while grouping them: {err}"
        ) from err


def label_codes(y: Any, name: str) -> tuple[np.ndarray, list[Any]]:
    """Codes into the distinct labels of ``y`` (as Python scalars), or raise.

    Integer or boolean arrays of two adjacent values take a fast path without
    hashing; missing labels raise a ValueError naming ``name``.

    Examples
    --------
    >>> import numpy as np
    >>> codes, labels = label_codes(np.array([1, 0, 1]), "y")
    >>> codes.tolist(), labels
    ([1, 0, 1], [0, 1])
    """
    if isinstance(y, np.ndarray) and y.dtype.kind in "biu" and len(y):
        # Fast path for 0/1-style integer or boolean labels: no hashing.
        lo, hi = y.min().item(), y.max().item()
        if int(hi) - int(lo) <= 1:
            codes = y.astype(np.intp) - int(lo)
            return codes, [lo] if hi == lo else [lo, hi]
    codes, uniques = factorize(y, name)
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
        codes, uniques = label_codes(y, name)
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


_DEFAULT_NAME = "sensitive_feature_"


def _list_column(sf: list | tuple) -> list[tuple[Any, Any]]:
    """The one column of a flat list of values (pandas infers its dtype)."""
    if len(sf) and not pd.api.types.is_scalar(sf[0]):
        raise ValueError(
            "sensitive_features given as a list must be a flat list of "
            f"scalars (one per row); got a {type(sf[0]).__name__} as first "
            "element. Pass a DataFrame or a dict of columns for "
            "intersectional groups."
        )
    # Let pandas infer a dtype from the Python values, as MetricFrame does.
    return [(_DEFAULT_NAME + "0", pd.Series(sf, dtype=None if sf else object))]


def _array_columns(sf: Any) -> list[tuple[Any, Any]]:
    """The columns of a 1-D or 2-D array, named ``sensitive_feature_<i>``."""
    arr = np.asarray(sf)
    if arr.ndim == 1:
        return [(_DEFAULT_NAME + "0", arr)]
    if arr.ndim == 2:
        return [(f"{_DEFAULT_NAME}{i}", arr[:, i]) for i in range(arr.shape[1])]
    raise ValueError(
        f"sensitive_features must be 1-D or 2-D; got an array of shape {arr.shape}"
    )


def _named_columns(sf: Any) -> tuple[list[tuple[Any, Any]], str]:
    """(name, values) of every column of ``sf``, and where the names came from."""
    if sf is None:
        raise TypeError(
            "sensitive_features must be array-like (list, array, Series, "
            "DataFrame or dict of columns); got None"
        )
    if isinstance(sf, pd.DataFrame):
        names = sf.columns.tolist()  # Python scalars, for clean messages
        columns = [(names[i], sf.iloc[:, i]) for i in range(sf.shape[1])]
        return columns, "DataFrame column names"
    if isinstance(sf, pd.Series):
        name = _DEFAULT_NAME + "0" if sf.name is None else sf.name
        return [(name, sf)], "the Series name"
    if isinstance(sf, Mapping):
        columns = [(k, as_1d(v, f"sensitive_features[{k!r}]")) for k, v in sf.items()]
        return columns, "dict keys"
    if isinstance(sf, (list, tuple)):
        return _list_column(sf), ""
    return _array_columns(sf), ""


def _check_columns(columns: list[tuple[Any, Any]], source: str, n: int) -> None:
    """Names must be unique strings and every column must have ``n`` values."""
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


def feature_columns(sensitive_features: Any, n: int) -> list[tuple[str, Any]]:
    """Split ``sensitive_features`` into named 1-D columns of length ``n``.

    Parameters
    ----------
    sensitive_features : array-like, Series, DataFrame or dict of columns
        A list, 1-D array or Series is one feature; a DataFrame, a dict of
        columns or a 2-D array are several. Unnamed features are called
        ``sensitive_feature_0``, ``sensitive_feature_1``, ...
    n : int
        The number of rows every column must have.

    Returns
    -------
    list of (str, array-like)
        The name and values of every column, in order (values not copied).

    Raises
    ------
    ValueError
        For a nested list, an array of more than 2 dimensions, no column,
        a repeated name or a column of the wrong length.
    TypeError
        For ``None`` or a name that is not a string.

    Examples
    --------
    >>> [name for name, _ in feature_columns({"sex": ["f", "m"], "age": [1, 2]}, 2)]
    ['sex', 'age']
    >>> feature_columns(["a", "b"], 3)
    Traceback (most recent call last):
    ...
    ValueError: sensitive_features column 'sensitive_feature_0' must have the \
same length as y_true (3); got 2
    """
    columns, source = _named_columns(sensitive_features)
    _check_columns(columns, source, n)
    return columns


def _code_feature(name: str, values: Any) -> tuple[np.ndarray, pd.Index]:
    """Codes into the sorted observed values of one sensitive feature."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy()
        n_missing = int(np.count_nonzero(raw < 0))
        categories = values.cat.categories
    else:
        raw, uniques = factorize(values, f"sensitive_features column {name!r}")
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


def group_codes(
    sensitive_features: Any, n: int
) -> tuple[np.ndarray, list[pd.Index], np.ndarray]:
    """Code every row into its group (a combination of the features' values).

    Returns
    -------
    group : ndarray of shape (n,)
        The group of every row, a position in ``level_codes``.
    levels : list of pandas.Index
        The sorted observed values of each feature, named after it.
    level_codes : ndarray of shape (n_groups, n_features)
        Every observed group's position in each feature's ``levels``.

    Examples
    --------
    >>> group, levels, level_codes = group_codes({"g": [20, 10, 20]}, 3)
    >>> group.tolist(), levels[0].tolist(), level_codes.tolist()
    ([1, 0, 1], [10, 20], [[0], [1]])
    """
    columns = feature_columns(sensitive_features, n)
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


def group_index(levels: list[pd.Index], level_codes: np.ndarray) -> pd.Index:
    """Index of the groups given by level codes (a MultiIndex for several features).

    Parameters
    ----------
    levels : list of pandas.Index
        The sorted values of every feature, named (as from :func:`group_codes`).
    level_codes : ndarray of shape (n_groups, n_features)
        Position of every group's value in each feature's ``levels``.

    Returns
    -------
    pandas.Index
        One entry per row of ``level_codes``, in that order.

    Examples
    --------
    >>> _, levels, codes = group_codes(["b", "a", "b"], 3)
    >>> group_index(levels, codes).tolist()
    ['a', 'b']
    """
    if len(levels) == 1:
        return levels[0][level_codes[:, 0]]
    return pd.MultiIndex.from_arrays(
        [lev[level_codes[:, j]] for j, lev in enumerate(levels)],
        names=[lev.name for lev in levels],
    )


def tally(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any = _WHOLE_DATA,
    sample_weight: Any = None,
    pos_label: Any = 1,
    use_y_true: bool = True,
    need_rows: bool = False,
) -> Tally:
    """Validate the inputs and count each group's weighted confusion matrix.

    Without ``sensitive_features`` there is one group, the whole data set.
    ``use_y_true=False`` checks only the length of ``y_true`` (selection-rate
    metrics ignore it) and counts every row as a true negative/false positive.
    ``need_rows`` also counts the unweighted rows of every group.

    Examples
    --------
    >>> t = tally([1, 0, 1, 1], [1, 1, 0, 1], sensitive_features=["a", "a", "b", "b"])
    >>> t.cm.tolist()  # per group: TN, FP, FN, TP
    [[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]]
    """
    y_pred = as_1d(y_pred, "y_pred")
    n = len(y_pred)
    if use_y_true:
        y_true = as_1d(y_true, "y_true")
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
    weights = check_sample_weight(sample_weight, n)
    true_pos, pred_pos = _encode_labels(y_true, y_pred, pos_label, use_y_true)

    if sensitive_features is _WHOLE_DATA:
        group = None
        levels: list[pd.Index] = []
        level_codes = np.zeros((1, 0), dtype=np.intp)
    else:
        group, levels, level_codes = group_codes(sensitive_features, n)
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
    return Tally(cm=cm, rows=rows, levels=levels, level_codes=level_codes)


def rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN (and no warning) where ``den`` is 0.

    Examples
    --------
    >>> rate([1, 0], [4, 0]).tolist()
    [0.25, nan]
    """
    num, den = np.broadcast_arrays(np.asarray(num, float), np.asarray(den, float))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


RATE_FORMULAS = {
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


def rates(cm: np.ndarray, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Per-group rates from confusion counts of shape (..., 4).

    ``keys`` limits the work to the rates asked for (all of them by default);
    :data:`RATE_FORMULAS` gives each rate's cells.

    Examples
    --------
    >>> import numpy as np
    >>> rates(np.array([[3.0, 1.0, 1.0, 3.0]]), ("tpr", "fpr"))["tpr"].tolist()
    [0.75]
    """
    out = {}
    for key in keys or tuple(RATE_FORMULAS):
        num, den = RATE_FORMULAS[key]
        out[key] = rate(cm[..., list(num)].sum(-1), cm[..., list(den)].sum(-1))
    return out
