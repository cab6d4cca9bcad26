"""The shared statistical checks of hidden tests: exact false-failure rates and power."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from course_tools.grading.checks import binomial_ok, signs_independent


@pytest.mark.parametrize(
    ("n", "p", "p_high", "alpha"),
    [(50, 0.5, None, 0.05), (1000, 0.1, None, 1e-3), (400, 0.3, 0.35, 1e-2)],
)
def test_a_correct_count_fails_at_most_alpha_of_the_time(n, p, p_high, alpha):
    """Exact: the probability of every rejected count, summed, at the interval's ends."""
    ks = np.arange(n + 1)
    rejected = np.array(
        [not binomial_ok(int(k), n, p, alpha, p_high=p_high) for k in ks]
    )
    for q in {p, p if p_high is None else p_high}:
        assert stats.binom.pmf(ks[rejected], n, q).sum() <= alpha
    assert rejected.any()  # not a test that passes everything


def test_a_wrong_probability_is_rejected():
    """Power: 100,000 trials at 0.5 against 0.49 (6 standard errors off) fail."""
    n = 100_000
    assert binomial_ok(50_000, n, 0.5, 1e-6)
    assert not binomial_ok(50_000, n, 0.49, 1e-6)
    assert not binomial_ok(50_000, n, 0.45, 1e-6, p_high=0.49)


def test_independent_signs_pass_and_dependent_ones_fail():
    """20 seeds at alpha = 1e-8 each: a false failure once in 5 million runs."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        noise = rng.laplace(size=20_000)
        assert signs_independent(noise, 1e-8), seed
        assert signs_independent(np.concatenate([noise, np.zeros(50)]), 1e-8)
        assert not signs_independent(np.repeat(noise[:10_000], 2), 1e-8), seed
        assert not signs_independent(np.cumsum(noise) - noise.sum() / 2, 1e-8), seed
