"""Tests for course_lib.privacy._sampling (exact samplers, Mironov's attack).

Goodness-of-fit tests use a false-failure rate of 1e-6 each.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from course_lib.privacy import (
    discrete_gaussian,
    discrete_laplace,
    discrete_laplace_mechanism,
    mironov_attack,
    naive_laplace,
)

ALPHA = 1e-6


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _gof(draws, pmf_of, cut):
    """Chi-square test of integer draws against a pmf on -cut..cut (+ tails)."""
    xs = np.arange(-cut, cut + 1)
    p = pmf_of(xs)
    expected = np.concatenate(([0.5 * (1 - p.sum())], p, [0.5 * (1 - p.sum())]))
    clipped = np.clip(draws, -cut - 1, cut + 1) + cut + 1
    observed = np.bincount(clipped, minlength=2 * cut + 3)
    keep = expected * draws.size >= 5
    obs, exp = observed[keep], expected[keep] * draws.size
    obs = np.append(obs, observed[~keep].sum())
    exp = np.append(exp, draws.size - exp.sum())
    return stats.chisquare(obs, exp).pvalue


@pytest.mark.parametrize("scale", [1, Fraction(1, 3), Fraction(7, 2), 10])
def test_discrete_laplace_pmf(scale, rng):
    b = float(scale)
    x = discrete_laplace(scale, size=300_000, rng=rng)
    assert x.dtype == np.int64

    def pmf(k):
        return math.tanh(1 / (2 * b)) * np.exp(-np.abs(k) / b)

    assert _gof(x, pmf, cut=int(8 * b) + 2) > ALPHA


@pytest.mark.parametrize("sigma2", [1, Fraction(1, 4), 4, Fraction(100, 7)])
def test_discrete_gaussian_pmf(sigma2, rng):
    s2 = float(sigma2)
    support = np.arange(-200, 201)
    norm = np.exp(-(support**2) / (2 * s2)).sum()
    x = discrete_gaussian(sigma2, size=300_000, rng=rng)
    assert x.dtype == np.int64
    assert (
        _gof(x, lambda k: np.exp(-(k**2) / (2 * s2)) / norm, cut=int(6 * s2**0.5) + 1)
        > ALPHA
    )


def test_discrete_gaussian_large_sigma_runs(rng):
    # Python-integer fallback path for huge |Y| must not break anything
    x = discrete_gaussian(Fraction(10**6, 7), size=20_000, rng=rng)
    assert abs(x.var() / (10**6 / 7) - 1) < 0.06


def test_shapes_and_scalars(rng):
    assert isinstance(discrete_laplace(2, rng=rng), int)
    assert isinstance(discrete_gaussian(2, rng=rng), int)
    assert discrete_laplace(2, size=(2, 3), rng=rng).shape == (2, 3)
    assert discrete_gaussian(2, size=(4,), rng=rng).shape == (4,)
    assert isinstance(naive_laplace(1.0, rng=rng), float)
    assert naive_laplace(1.0, size=(2, 2), rng=rng).shape == (2, 2)


def test_parameter_errors(rng):
    with pytest.raises(
        TypeError, match=r"scale must be a positive int or fractions\.Fraction"
    ):
        discrete_laplace(1.5, rng=rng)
    with pytest.raises(ValueError, match="scale must be positive; got -1"):
        discrete_laplace(-1, rng=rng)
    with pytest.raises(ValueError, match="at most 2\\*\\*40"):
        discrete_laplace(Fraction(1, 2**41), rng=rng)
    with pytest.raises(TypeError, match="sigma2 must be a positive int"):
        discrete_gaussian(2.0, rng=rng)
    with pytest.raises(ValueError, match="sigma2 must have a smaller"):
        discrete_gaussian(Fraction(2**39, 3), rng=rng)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        discrete_laplace(1, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        naive_laplace(1.0, rng=1)
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        naive_laplace(0.0, rng=rng)
    with pytest.raises(ValueError, match="size must be"):
        discrete_laplace(1, size=(2, -1), rng=rng)


def test_discrete_laplace_mechanism(rng):
    out = discrete_laplace_mechanism(np.array([10, 20, 30]), 1, Fraction(1, 2), rng=rng)
    assert out.dtype == np.int64 and out.shape == (3,)
    assert isinstance(discrete_laplace_mechanism(5, 1, 1.0, rng=rng), int)
    # huge epsilon: no noise
    assert discrete_laplace_mechanism(np.arange(5), 1, 1e5, rng=rng).tolist() == list(
        range(5)
    )
    x = discrete_laplace_mechanism(np.zeros(200_000, dtype=np.int64), 2, 0.5, rng=rng)
    b = 4.0  # Δ / ε

    def pmf(k):
        return math.tanh(1 / (2 * b)) * np.exp(-np.abs(k) / b)

    assert _gof(x, pmf, cut=30) > ALPHA
    with pytest.raises(TypeError, match="value must be integer"):
        discrete_laplace_mechanism(np.array([1.5]), 1, 1.0, rng=rng)
    with pytest.raises(TypeError, match="sensitivity must be an integer; got float"):
        discrete_laplace_mechanism(1, 0.5, 1.0, rng=rng)
    with pytest.raises(ValueError, match="sensitivity must be an integer >= 1; got 0"):
        discrete_laplace_mechanism(1, 0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0"):
        discrete_laplace_mechanism(1, 1, -1.0, rng=rng)
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0"):
        discrete_laplace_mechanism(1, 1, Fraction(-1), rng=rng)
    with pytest.raises(TypeError, match="epsilon must be a real number; got str"):
        discrete_laplace_mechanism(1, 1, "1", rng=rng)


def test_naive_laplace_moments(rng):
    n, b = 1_000_000, 2.0
    x = naive_laplace(b, size=n, rng=rng)
    z = stats.norm.isf(ALPHA / 2)
    assert abs((x**2).mean() - 2 * b**2) < z * math.sqrt(20 * b**4 / n)


@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_mironov_attack_rules_out_neighbour(scale, rng):
    n = 50_000
    y0 = 0.0 + naive_laplace(scale, size=n, rng=rng)
    y1 = 1.0 + naive_laplace(scale, size=n, rng=rng)
    p0 = mironov_attack(y0, [0.0, 1.0], scale)
    p1 = mironov_attack(y1, [0.0, 1.0], scale)
    assert p0.shape == (n, 2)
    # sound: the true input is never ruled out
    assert p0[:, 0].all() and p1[:, 1].all()
    # leak: a large share of outputs rules the neighbour out with certainty
    # (measured: about 80% for scale 1), i.e. infinite privacy loss.
    assert (~p0[:, 1]).mean() > 0.3
    assert (~p1[:, 0]).mean() > 0.3


def test_mironov_attack_validation():
    with pytest.raises(ValueError, match="candidates must be 1-D"):
        mironov_attack([0.0], [[0.0]], 1.0)
    with pytest.raises(ValueError, match="scale must be a finite number > 0"):
        mironov_attack([0.0], [0.0], -1.0)


def test_discrete_laplace_has_no_such_leak(rng):
    # Every integer is a possible output from every input, with probability
    # ratio exactly exp(±ε |Δ|): no output rules an input out.
    eps = Fraction(1)
    y0 = discrete_laplace_mechanism(np.zeros(100_000, dtype=np.int64), 1, eps, rng=rng)
    y1 = discrete_laplace_mechanism(np.ones(100_000, dtype=np.int64), 1, eps, rng=rng)
    for y, v, w in ((y0, 0, 1), (y1, 1, 0)):
        log_ratio = -float(eps) * (np.abs(y - v) - np.abs(y - w))
        assert np.all(np.abs(log_ratio) <= float(eps))
    # and the observed supports overlap on the central values
    common = np.intersect1d(y0, y1)
    assert set(range(-5, 6)) <= set(common.tolist())
