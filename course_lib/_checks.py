"""Argument checks shared by the library, with one policy.

A wrong type raises TypeError and a wrong value ValueError, each in one line of
the form "x must be ...; got ..."; numbers are checked against
``numbers.Real`` and ``numbers.Integral``, so numpy scalars pass and bools do
not. Every module of the library takes its generic checks (numbers, choices,
generators, 1-D and 2-D arrays, sample weights) from here; a module keeps only
checks of its own concept (a payoff matrix, a routing network).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd


def check_rng(rng: Any) -> np.random.Generator:
    """Return ``rng`` if it is a numpy Generator; else raise a TypeError that says so.

    Examples
    --------
    >>> import numpy as np
    >>> isinstance(check_rng(np.random.default_rng(0)), np.random.Generator)
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (e.g. "
            f"numpy.random.default_rng(0)); got {type(rng).__name__}"
        )
    return rng


def check_real(
    x: Any,
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``x`` as a float if it is a finite real number within the bounds.

    A TypeError for anything that is not a real number (``bool`` included), a
    ValueError for a number outside the bounds; numpy scalars pass.

    Examples
    --------
    >>> import numpy as np
    >>> check_real(np.float32(0.5), "rate", low=0, high=1)
    0.5
    >>> check_real(2, "rate", low=0, high=1)
    Traceback (most recent call last):
    ...
    ValueError: rate must be a finite number in [0, 1]; got 2
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(x).__name__}")
    value = float(x)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        if math.isinf(low) and math.isinf(high):
            bounds = ""
        elif math.isinf(high):
            bounds = f" {'>' if low_open else '>='} {low:g}"
        elif math.isinf(low):
            bounds = f" {'<' if high_open else '<='} {high:g}"
        else:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            bounds = f" in {left}{low:g}, {high:g}{right}"
        raise ValueError(f"{name} must be a finite number{bounds}; got {x!r}")
    return value


def check_int(
    x: Any, name: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Return ``x`` as an int if it is an integer within ``[low, high]``.

    A TypeError for anything that is not an integer (``bool`` and ``3.0``
    included), a ValueError for one outside the bounds; numpy integers pass.

    Examples
    --------
    >>> import numpy as np
    >>> check_int(np.int32(3), "n_splits", low=2)
    3
    >>> check_int(1, "n_splits", low=2)
    Traceback (most recent call last):
    ...
    ValueError: n_splits must be an integer >= 2; got 1
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(x).__name__}")
    too_low = low is not None and x < low
    too_high = high is not None and x > high
    if too_low or too_high:
        if high is None:
            bounds = f" >= {low}"
        elif low is None:
            bounds = f" <= {high}"
        else:
            bounds = f" in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer{bounds}; got {x!r}")
    return int(x)


def check_positive(x: Any, name: str) -> float:
    """Return ``x`` as a float if it is a finite real number greater than 0.

    Examples
    --------
    >>> check_positive(0.5, "epsilon")
    0.5
    >>> check_positive(0, "epsilon")
    Traceback (most recent call last):
    ...
    ValueError: epsilon must be a finite number > 0; got 0
    """
    return check_real(x, name, low=0.0, low_open=True)


def check_probability(x: Any, name: str, *, open_interval: bool = False) -> float:
    """Return ``x`` as a float in [0, 1] (in (0, 1) if ``open_interval``).

    Examples
    --------
    >>> check_probability(1, "p")
    1.0
    >>> check_probability(1, "alpha", open_interval=True)
    Traceback (most recent call last):
    ...
    ValueError: alpha must be a finite number in (0, 1); got 1
    """
    return check_real(
        x, name, low=0.0, high=1.0, low_open=open_interval, high_open=open_interval
    )


def check_choice(x: Any, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``x`` if it is one of the strings in ``allowed``.

    A TypeError for a value that is not a string, a ValueError for a string
    that is not allowed; the message lists the allowed values.

    Examples
    --------
    >>> check_choice("max", "aggregate", ("max", "mean"))
    'max'
    >>> check_choice("min", "aggregate", ("max", "mean"))
    Traceback (most recent call last):
    ...
    ValueError: aggregate must be 'max' or 'mean'; got 'min'
    """
    options = " or ".join(repr(a) for a in allowed)
    if not isinstance(x, str):
        raise TypeError(f"{name} must be {options}; got {type(x).__name__} {x!r}")
    if x not in allowed:
        raise ValueError(f"{name} must be {options}; got {x!r}")
    return x


def as_1d(values: Any, name: str) -> Any:
    """``values`` as a 1-D Series or ndarray of any dtype, or raise a ValueError.

    numpy-backed Series become arrays (no copy); extension dtypes (categorical,
    string, nullable) stay pandas objects. DataFrames, 2-D arrays and ragged
    nested lists are refused with a hint.

    Examples
    --------
    >>> as_1d([1, 2, 3], "y_true").tolist()
    [1, 2, 3]
    >>> as_1d([[1, 2]], "y_true")
    Traceback (most recent call last):
    ...
    ValueError: y_true must be 1-D; got an array of shape (1, 2). Flatten it \
first (e.g. np.ravel) if it is a single column.
    """
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy() if isinstance(values.dtype, np.dtype) else values
    if isinstance(values, pd.DataFrame):
        raise ValueError(
            f"{name} must be 1-D; got a DataFrame of shape {values.shape}. "
            "Pass a single column, e.g. df['label']."
        )
    try:
        arr = np.asarray(values)
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


def as_float_1d(
    values: Any, name: str, *, n: int | None = None, allow_neg_inf: bool = False
) -> np.ndarray:
    """``values`` as a non-empty 1-D float array of finite numbers, or raise.

    A TypeError if the values are not numbers, a ValueError for the wrong
    shape, the wrong length (when ``n`` is given) or a NaN or infinite value
    (``-inf`` is allowed with ``allow_neg_inf``, for log-scores).

    Examples
    --------
    >>> as_float_1d([1, 2], "scores", n=2).tolist()
    [1.0, 2.0]
    >>> as_float_1d([1, float("nan")], "scores")
    Traceback (most recent call last):
    ...
    ValueError: scores must be finite; got 1 non-finite values
    """
    if isinstance(values, pd.DataFrame):
        raise ValueError(
            f"{name} must be a non-empty 1-D array; got a DataFrame of shape "
            f"{values.shape}. Pass a single column."
        )
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers; got {err}") from err
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} must have length {n} (one per row); got {len(arr)}")
    bad = np.isnan(arr) | (arr == np.inf)
    if not allow_neg_inf:
        bad |= arr == -np.inf
    if bad.any():
        what = "finite or -inf" if allow_neg_inf else "finite"
        raise ValueError(
            f"{name} must be {what}; got {int(bad.sum())} non-finite values"
        )
    return arr


def as_float_2d(X: Any, name: str = "X", *, n_rows: int | None = None) -> np.ndarray:
    """``X`` as a finite 2-D float array with at least one row and column.

    A 1-D input or a Series is one column. A TypeError if the values are not
    numbers (with a hint to one-hot encode), a ValueError for a wrong shape,
    the wrong number of rows (when ``n_rows`` is given) or a non-finite value.

    Examples
    --------
    >>> as_float_2d([1.0, 2.0], "X").shape
    (2, 1)
    >>> as_float_2d([["a"]], "X")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: X must be numeric (one-hot encode categorical columns first, ...
    """
    if isinstance(X, pd.Series):
        X = X.to_frame()
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be numeric (one-hot encode categorical columns first, "
            f"e.g. pandas.get_dummies); got values that cannot be converted: {err}"
        ) from err
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array; got shape {arr.shape}")
    if n_rows is not None and arr.shape[0] != n_rows:
        raise ValueError(f"{name} must have {n_rows} rows; got {arr.shape[0]}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got NaN or infinite values")
    return arr


def as_bool_1d(values: Any, name: str, n: int) -> np.ndarray:
    """``values`` as a 1-D boolean array of length ``n`` (bool or 0/1 values)."""
    arr = np.asarray(values)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name} must be 1-D with {n} values; got shape {arr.shape}")
    if arr.dtype != bool:
        if arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
            raise ValueError(
                f"{name} must hold booleans (or 0/1); got dtype {arr.dtype}"
            )
        arr = arr.astype(bool)
    return arr


def as_binary_1d(values: Any, name: str, *, n: int | None = None) -> np.ndarray:
    """``values`` as a non-empty 1-D boolean array from labels 0/1 (or bools).

    Examples
    --------
    >>> as_binary_1d([0, 1, 1], "y_true").tolist()
    [False, True, True]
    >>> as_binary_1d(["no", "yes"], "y_true")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y_true must contain only the labels 0 and 1; got dtype <U3. ...
    """
    arr = as_1d(values, name)
    arr = np.asarray(arr)
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} must have length {n} (one per row); got {len(arr)}")
    if len(arr) == 0:
        raise ValueError(f"{name} must not be empty; got 0 values")
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must contain only the labels 0 and 1; got dtype {arr.dtype}. "
            "Encode the labels as 0/1 first, e.g. (y == 'yes').astype(int)."
        )
    ok = (arr == 0) | (arr == 1)
    if not ok.all():
        found = pd.unique(arr[~ok])[:5].tolist()
        raise ValueError(
            f"{name} must contain only the labels 0 and 1; got other values "
            f"such as {found}"
        )
    return arr == 1


def check_sample_weight(
    sample_weight: Any, n: int, *, ref: str = "y_true"
) -> np.ndarray | None:
    """``sample_weight`` as finite non-negative floats of length ``n``, or None.

    ``None`` stays ``None`` (unit weights). A TypeError for non-numbers, a
    ValueError for a wrong shape or length (``ref`` names the argument whose
    length it must match), a negative, NaN or infinite weight, or all zeros.

    Examples
    --------
    >>> check_sample_weight([1, 2], 2).tolist()
    [1.0, 2.0]
    >>> check_sample_weight([1, -1], 2)
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must be finite and non-negative; got 1 negative, \
0 NaN and 0 infinite value(s)
    """
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
            f"sample_weight must have the same length as {ref} ({n}); got {len(w)}"
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
