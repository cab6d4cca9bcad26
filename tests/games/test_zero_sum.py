"""Tests for course_lib.games._zero_sum: LP values and multiplicative weights."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.games import (
    minimax_value,
    multiplicative_weights,
    solve_zero_sum,
)

SHAPES = [(1, 1), (1, 4), (3, 1), (2, 2), (3, 3), (4, 6), (7, 3)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(5))
def test_lp_strategies_certify_the_value(shape, seed):
    a = np.random.default_rng(seed).normal(size=shape)
    sol = solve_zero_sum(a)
    for s in (sol.row_strategy, sol.col_strategy):
        assert (s >= 0).all() and s.sum() == pytest.approx(1.0, abs=1e-12)
    # p guarantees >= v against every column; q concedes <= v to every row:
    # together they prove v is the value.
    assert (sol.row_strategy @ a).min() >= sol.value - 1e-9
    assert (a @ sol.col_strategy).max() <= sol.value + 1e-9
    assert minimax_value(a) == sol.value


@pytest.mark.parametrize("seed", range(20))
def test_two_by_two_closed_form(seed):
    (a, b), (c, d) = np.random.default_rng(seed).normal(size=(2, 2))
    m = np.array([[a, b], [c, d]])
    saddle = max(m.min(axis=1)) == min(m.max(axis=0))
    if saddle:
        expected = max(m.min(axis=1))
    else:
        expected = (a * d - b * c) / (a + d - b - c)
    assert minimax_value(m) == pytest.approx(expected, abs=1e-9)


MW_SHAPES = [(2, 2), (3, 3), (3, 5), (6, 4), (8, 8)]


@pytest.mark.parametrize("shape", MW_SHAPES)
@pytest.mark.parametrize("seed", range(4))
def test_mw_gap_within_bound_and_value_close_to_lp(shape, seed):
    a = np.random.default_rng(seed).uniform(-1, 1, size=shape)
    v = minimax_value(a)
    rounds = 3000
    res = multiplicative_weights(a, rounds=rounds)
    span = a.max() - a.min()
    m, n = shape
    stated = span * (
        math.sqrt(math.log(m) / (2 * rounds)) + math.sqrt(math.log(n) / (2 * rounds))
    )
    assert res.bound == pytest.approx(stated, rel=1e-12)
    assert res.bound <= span * 2 * math.sqrt(math.log(max(m, n)) / rounds)
    # Exploitability of the averages is below the bound at every round.
    assert (res.gap_history <= res.bound_history + 1e-12).all()
    assert res.gap == res.gap_history[-1] <= res.bound
    assert res.lower - 1e-9 <= v <= res.upper + 1e-9
    assert abs(res.value - v) <= res.gap + 1e-12
    assert abs(res.value - v) <= res.bound
    # The guarantees are what the average strategies achieve.
    assert res.lower == pytest.approx((res.row_strategy @ a).min())
    assert res.upper == pytest.approx((a @ res.col_strategy).max())
    # It learns: the gap shrinks a lot over the run.
    assert res.gap_history[-1] < res.gap_history[9] / 3


def test_mw_explicit_eta_and_matching_pennies():
    a = [[1, -1], [-1, 1]]
    res = multiplicative_weights(a, rounds=4000, eta=0.05)
    assert res.eta == (0.05, 0.05)
    t = 4000
    assert res.bound == pytest.approx(2 * 2 * (math.log(2) / (0.05 * t) + 0.05 / 8))
    assert res.gap <= res.bound
    np.testing.assert_allclose(res.row_strategy, [0.5, 0.5], atol=res.bound)
    assert abs(res.value) <= res.gap


def test_mw_degenerate_games():
    res = multiplicative_weights([[2.0, 2.0]], rounds=5)
    assert res.value == 2.0 and res.gap == 0.0 and res.bound == 0.0
    res = multiplicative_weights([[3.0, 1.0], [4.0, 2.0]], rounds=2000)  # saddle
    assert res.value == pytest.approx(2.0, abs=res.bound)
    assert res.row_strategy[1] > 0.95 and res.col_strategy[1] > 0.95


def test_errors():
    with pytest.raises(ValueError, match="payoff_matrix must be a non-empty 2-D"):
        minimax_value([1, 2])
    with pytest.raises(ValueError, match="payoff_matrix must be finite"):
        minimax_value([[np.inf]])
    with pytest.raises(TypeError, match="payoff_matrix must be a numeric"):
        solve_zero_sum([["a"]])
    with pytest.raises(TypeError, match="rounds must be an integer; got float"):
        multiplicative_weights([[1]], rounds=2.5)
    with pytest.raises(ValueError, match="rounds must be an integer >= 1; got 0"):
        multiplicative_weights([[1]], rounds=0)
    with pytest.raises(ValueError, match="eta must be a finite number > 0; got -1"):
        multiplicative_weights([[1]], rounds=3, eta=-1)
    with pytest.raises(TypeError, match="eta must be a real number; got str"):
        multiplicative_weights([[1]], rounds=3, eta="0.1")
