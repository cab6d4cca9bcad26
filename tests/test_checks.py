"""The library's one argument-checking policy (course_lib._checks)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib._checks import (
    as_bool_1d,
    as_float_1d,
    check_choice,
    check_int,
    check_real,
    check_rng,
)


@pytest.mark.parametrize("x", [0.5, 1, np.float32(0.5), np.int64(1), np.float64(0.0)])
def test_numpy_and_python_numbers_pass(x):
    assert check_real(x, "x", low=0, high=1) == float(x)


@pytest.mark.parametrize("x", [True, "0.5", None, [0.5], np.array([0.5])])
def test_a_wrong_type_is_a_type_error(x):
    with pytest.raises(TypeError, match=r"^x must be a real number; got "):
        check_real(x, "x")


@pytest.mark.parametrize(
    ("x", "kwargs"),
    [
        (float("nan"), {}),
        (float("inf"), {}),
        (-0.1, {"low": 0}),
        (0, {"low": 0, "low_open": True}),
        (1, {"high": 1, "high_open": True}),
    ],
)
def test_a_wrong_value_is_a_value_error(x, kwargs):
    with pytest.raises(ValueError, match=r"^x must be a finite number.*; got "):
        check_real(x, "x", **kwargs)


def test_integers():
    assert check_int(np.int32(3), "n", low=1) == 3
    with pytest.raises(TypeError, match="n must be an integer; got float"):
        check_int(3.0, "n", low=1)
    with pytest.raises(TypeError, match="n must be an integer; got bool"):
        check_int(True, "n", low=0)
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        check_int(0, "n", low=1)


def test_choices_arrays_and_generators():
    assert check_choice("a", "mode", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="mode must be 'a' or 'b'; got 'c'"):
        check_choice("c", "mode", ("a", "b"))
    assert as_float_1d([1, 2], "v").dtype == float
    with pytest.raises(ValueError, match="v must be finite; got 1 non-finite values"):
        as_float_1d([1, np.nan], "v")
    with pytest.raises(ValueError, match="v must be a non-empty 1-D array"):
        as_float_1d([[1.0]], "v")
    assert as_bool_1d([0, 1], "m", 2).tolist() == [False, True]
    with pytest.raises(ValueError, match="m must hold booleans"):
        as_bool_1d([0, 2], "m", 2)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        check_rng(0)
