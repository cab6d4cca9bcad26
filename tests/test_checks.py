"""The library's one argument-checking policy (course_lib._checks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_lib._checks import (
    as_1d,
    as_binary_1d,
    as_bool_1d,
    as_float_1d,
    as_float_2d,
    check_choice,
    check_int,
    check_positive,
    check_probability,
    check_real,
    check_rng,
    check_sample_weight,
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


def test_integer_bounds_and_choices_of_the_wrong_type():
    assert check_int(np.int64(5), "k", low=1, high=5) == 5
    with pytest.raises(ValueError, match=r"^k must be an integer in \[1, 5\]; got 6$"):
        check_int(6, "k", low=1, high=5)
    with pytest.raises(ValueError, match=r"^k must be an integer <= 5; got 6$"):
        check_int(6, "k", high=5)
    with pytest.raises(TypeError, match=r"^mode must be 'a' or 'b'; got int 3$"):
        check_choice(3, "mode", ("a", "b"))


@pytest.mark.parametrize("x", [np.float16(0.25), np.int8(1), 1, 0.0])
def test_probabilities_accept_numpy_scalars(x):
    assert check_probability(x, "p") == float(x)


def test_positive_and_open_probabilities():
    assert check_positive(np.float32(2.0), "epsilon") == 2.0
    for bad in (0, -1.0, float("inf")):
        with pytest.raises(ValueError, match=r"^epsilon must be a finite number > 0"):
            check_positive(bad, "epsilon")
    with pytest.raises(TypeError, match=r"^epsilon must be a real number; got str$"):
        check_positive("1", "epsilon")
    for bad in (0, 1):
        with pytest.raises(ValueError, match=r"in \(0, 1\); got"):
            check_probability(bad, "alpha", open_interval=True)


def test_one_dimensional_inputs():
    assert as_1d(pd.Series(["a", "b"]), "g").tolist() == ["a", "b"]
    cat = pd.Series(["a", "b"], dtype="category")
    assert isinstance(as_1d(cat, "g"), pd.Series)
    with pytest.raises(ValueError, match=r"^g must be 1-D; got a DataFrame"):
        as_1d(pd.DataFrame({"a": [1]}), "g")
    with pytest.raises(ValueError, match="ragged"):
        as_1d([[1], [1, 2]], "g")
    assert as_float_1d([0.0, -np.inf], "s", allow_neg_inf=True)[1] == -np.inf
    with pytest.raises(ValueError, match=r"^s must have length 3 \(one per row\)"):
        as_float_1d([1.0, 2.0], "s", n=3)
    assert as_binary_1d(np.array([1.0, 0.0]), "y").dtype == bool
    with pytest.raises(ValueError, match=r"^y must contain only the labels 0 and 1"):
        as_binary_1d([0, 2], "y")
    with pytest.raises(ValueError, match=r"^y must not be empty"):
        as_binary_1d([], "y")


def test_matrices_and_sample_weights():
    assert as_float_2d(pd.Series([1, 2]), "X").shape == (2, 1)
    with pytest.raises(ValueError, match=r"^X must have 3 rows; got 2$"):
        as_float_2d([[1.0], [2.0]], "X", n_rows=3)
    with pytest.raises(ValueError, match=r"^X must be finite"):
        as_float_2d([[np.nan]], "X")
    with pytest.raises(ValueError, match=r"^X must be a non-empty 2-D array"):
        as_float_2d(np.zeros((2, 0)), "X")
    assert check_sample_weight(None, 3) is None
    with pytest.raises(TypeError, match=r"^sample_weight must be numeric"):
        check_sample_weight(["a"], 1)
    with pytest.raises(ValueError, match=r"same length as y_pred \(2\); got 1$"):
        check_sample_weight([1.0], 2, ref="y_pred")
    with pytest.raises(ValueError, match=r"positive sum"):
        check_sample_weight([0.0, 0.0], 2)
