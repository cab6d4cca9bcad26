"""Tests for course_lib._intervals (Wilson and Newcombe intervals).

The closed forms are checked against statsmodels' formulas written out and
Newcombe's (1998) published example; their coverage is checked by simulation
in tests/fairness/test_audit.py, through the audits that use them.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from course_lib._intervals import (
    IntervalEstimate,
    newcombe_bounds,
    newcombe_interval,
    wilson_bounds,
    wilson_interval,
    z_value,
)


def wilson_by_hand(x, n, confidence=0.95):
    """statsmodels' proportion_confint(method="wilson"), written out."""
    crit = norm.ppf(1 - (1 - confidence) / 2)
    p = x / n
    denom = 1 + crit**2 / n
    center = (p + crit**2 / (2 * n)) / denom
    dist = crit * np.sqrt(p * (1 - p) / n + crit**2 / (4 * n**2)) / denom
    return center - dist, center + dist


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_matches_closed_form(confidence):
    x = np.arange(0, 31)
    lo, hi = wilson_interval(x, 30, confidence)
    lo_h, hi_h = wilson_by_hand(x, 30, confidence)
    assert np.allclose(lo, np.clip(lo_h, 0, 1), atol=1e-12, rtol=0)
    assert np.allclose(hi, np.clip(hi_h, 0, 1), atol=1e-12, rtol=0)
    assert lo[0] == 0.0 and hi[-1] == 1.0
    # The unchecked bounds are the same numbers.
    lo_b, hi_b = wilson_bounds(x.astype(float), np.full(31, 30.0), z_value(confidence))
    assert np.array_equal(lo, lo_b) and np.array_equal(hi, hi_b)


def test_newcombe_matches_published_example_and_closed_form():
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80, method 10.
    d, lo, hi = newcombe_interval(56, 70, 48, 80)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.0524, 0.3339)
    l1, u1 = wilson_by_hand(56, 70)
    l2, u2 = wilson_by_hand(48, 80)
    p1, p2 = 0.8, 0.6
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.2 - np.hypot(p1 - l1, u2 - p2), abs=1e-12)
    assert hi == pytest.approx(0.2 + np.hypot(u1 - p1, p2 - l2), abs=1e-12)
    assert newcombe_bounds(56.0, 70.0, 48.0, 80.0, z_value(0.95)) == pytest.approx(
        (d, lo, hi), abs=0
    )


def test_z_value_is_the_two_sided_normal_quantile():
    assert z_value(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_value(0.8) == pytest.approx(norm.ppf(0.9), abs=1e-12)


def test_interval_estimate_is_a_named_tuple():
    est = IntervalEstimate(0.2, 0.1, 0.3)
    assert est == (0.2, 0.1, 0.3)
    assert (est.estimate, est.lower, est.upper) == (0.2, 0.1, 0.3)


def test_error_paths():
    with pytest.raises(
        ValueError, match="successes must be whole numbers between 0 and trials"
    ):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="trials must be non-negative whole numbers"):
        wilson_interval(1, 2.5)
    with pytest.raises(
        ValueError, match=r"confidence must be a finite number in \(0, 1\); got 1"
    ):
        wilson_interval(1, 2, confidence=1)
    with pytest.raises(TypeError, match="confidence must be a real number; got str"):
        newcombe_interval(1, 2, 1, 2, confidence="0.95")
    with pytest.raises(ValueError, match="trials_b must be non-negative"):
        newcombe_interval(1, 2, 1, -2)
    # numpy scalars pass the checks.
    lo, hi = wilson_interval(np.int64(7), np.int64(20), np.float64(0.95))
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.1812, 0.5671)
    # Zero trials give NaN, not an error.
    assert np.isnan(wilson_interval(0, 0)).all()
