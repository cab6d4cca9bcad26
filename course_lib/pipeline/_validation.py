"""Argument checks shared by the modules of :mod:`course_lib.pipeline`."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np


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
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(x).__name__}")
    value = float(x)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        bounds = f" in {left}{low:g}, {high:g}{right}"
        if math.isinf(low) and math.isinf(high):
            bounds = ""
        raise ValueError(f"{name} must be a finite number{bounds}; got {x!r}")
    return value


def check_int(x: Any, name: str, *, low: int) -> int:
    """Return ``x`` as an int if it is an integer >= ``low`` (bool excluded)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(x).__name__}")
    if x < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {x!r}")
    return int(x)


def check_choice(x: Any, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``x`` if it is one of the strings in ``allowed``."""
    if not (isinstance(x, str) and x in allowed):
        options = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be {options}; got {x!r}")
    return x


def as_float_1d(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D float array of finite numbers, or raise."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers; got {err}") from err
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{name} must be finite; got {int((~np.isfinite(arr)).sum())} non-finite values"
        )
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
