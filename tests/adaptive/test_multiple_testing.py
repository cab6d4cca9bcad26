"""Tests for course_lib.adaptive._multiple_testing.

Expected values are computed by hand from the definitions (statsmodels is not
installed). The statistical tests fail by chance with probability at most 1e-6
each (seeds are fixed, so they are also deterministic).
"""

import math

import numpy as np
import pytest
from scipy import stats

from course_lib.adaptive import (
    benjamini_hochberg,
    bonferroni,
    false_discovery_proportion,
    family_wise_error,
)

NAN = float("nan")


def _brute_force_bh(p):
    """O(m^2) adjusted p-values: min over p_j >= p_i of p_j * m / rank(p_j)."""
    m = len(p)
    out = []
    for pi in p:
        candidates = []
        for pj in p:
            if pj >= pi:
                rank = sum(pk <= pj for pk in p)  # the largest rank among ties
                candidates.append(pj * m / rank)
        out.append(min(1.0, min(candidates)))
    return np.array(out)


def _brute_force_bh_reject(p, alpha):
    """Step-up by definition: reject p <= p_(k), k = max{i: p_(i) <= alpha i/m}."""
    m = len(p)
    ordered = sorted(p)
    passing = [i for i in range(1, m + 1) if ordered[i - 1] <= alpha * i / m]
    if not passing:
        return np.zeros(m, dtype=bool)
    return np.array(p) <= ordered[max(passing) - 1]


# --------------------------------------------------------------------------
# Bonferroni
# --------------------------------------------------------------------------


def test_bonferroni_fixed_values_unsorted():
    reject, adjusted = bonferroni([0.01, 0.04, 0.002, 0.3])
    np.testing.assert_allclose(adjusted, [0.04, 0.16, 0.008, 1.0])
    np.testing.assert_array_equal(reject, [True, False, True, False])


def test_bonferroni_ties_cap_and_alpha():
    reject, adjusted = bonferroni([0.02, 0.02, 0.5], alpha=0.1)
    np.testing.assert_allclose(adjusted, [0.06, 0.06, 1.0])
    np.testing.assert_array_equal(reject, [True, True, False])
    reject, _ = bonferroni([0.02, 0.02, 0.5], alpha=0.05)
    assert not reject.any()


def test_bonferroni_all_and_none():
    reject, adjusted = bonferroni([0.001, 0.004, 0.0])
    assert reject.all()
    np.testing.assert_allclose(adjusted, [0.003, 0.012, 0.0])
    reject, adjusted = bonferroni([0.6, 0.9])
    assert not reject.any()
    np.testing.assert_array_equal(adjusted, [1.0, 1.0])


# --------------------------------------------------------------------------
# Benjamini-Hochberg
# --------------------------------------------------------------------------


def test_bh_fixed_values_with_ties_unsorted():
    # Sorted: 0.01, 0.01, 0.03, 0.04, 0.2 (m = 5); p * m / i:
    # 0.05, 0.025, 0.05, 0.05, 0.2; running minimum from the top:
    # 0.025, 0.025, 0.05, 0.05, 0.2.
    p = [0.04, 0.01, 0.03, 0.01, 0.2]
    _, adjusted = benjamini_hochberg(p)
    np.testing.assert_allclose(adjusted, [0.05, 0.025, 0.05, 0.025, 0.2])
    # alpha = 0.04: k = max{i: p_(i) <= 0.008 i} = 2, the two tied 0.01.
    reject, _ = benjamini_hochberg(p, alpha=0.04)
    np.testing.assert_array_equal(reject, [False, True, False, True, False])
    reject, _ = benjamini_hochberg(p, alpha=0.06)
    np.testing.assert_array_equal(reject, [True, True, True, True, False])


def test_bh_step_up_rejects_past_a_failure():
    # Sorted 0.001, 0.02, 0.039, 0.04 against 0.05 i / 4 = 0.0125, 0.025,
    # 0.0375, 0.05: p_(3) fails on its own but p_(4) passes, so all four are
    # rejected. p * m / i = 0.004, 0.04, 0.052, 0.04 -> 0.004, 0.04, 0.04, 0.04.
    reject, adjusted = benjamini_hochberg([0.04, 0.001, 0.039, 0.02], alpha=0.05)
    assert reject.all()
    np.testing.assert_allclose(adjusted, [0.04, 0.004, 0.04, 0.04])
    # A step-down procedure would have stopped at p_(3).
    assert 0.039 > 0.05 * 3 / 4


def test_bh_all_reject_and_none_reject():
    reject, adjusted = benjamini_hochberg([0.003, 0.001, 0.002])
    assert reject.all()
    np.testing.assert_allclose(adjusted, [0.003, 0.003, 0.003])
    # Sorted 0.5, 0.7, 0.9: 1.5, 1.05, 0.9 -> running minimum 0.9 everywhere.
    reject, adjusted = benjamini_hochberg([0.5, 0.9, 0.7])
    assert not reject.any()
    np.testing.assert_allclose(adjusted, [0.9, 0.9, 0.9])


def test_bh_adjusted_capped_at_one_and_single():
    _, adjusted = benjamini_hochberg([1.0, 1.0])
    np.testing.assert_array_equal(adjusted, [1.0, 1.0])
    reject, adjusted = benjamini_hochberg([0.03])
    assert reject.tolist() == [True]
    assert adjusted.tolist() == [0.03]


@pytest.mark.parametrize("m", [1, 2, 5, 17, 60])
def test_bh_matches_brute_force(m):
    rng = np.random.default_rng(m)
    for _ in range(20):
        # Rounded p-values create ties; a mixture puts some near zero.
        p = np.where(rng.random(m) < 0.3, rng.random(m) * 0.01, rng.random(m))
        p = np.round(p, 3)
        reject, adjusted = benjamini_hochberg(p, alpha=0.0537)
        np.testing.assert_allclose(adjusted, _brute_force_bh(p.tolist()), rtol=1e-12)
        np.testing.assert_array_equal(
            reject, _brute_force_bh_reject(p.tolist(), 0.0537)
        )
        # Monotone in p, and never below p.
        order = np.argsort(p)
        assert np.all(np.diff(adjusted[order]) >= 0)
        assert np.all(adjusted >= p)


def test_bh_never_rejects_less_than_bonferroni():
    rng = np.random.default_rng(3)
    for _ in range(50):
        p = rng.random(30) ** 3
        assert np.all(benjamini_hochberg(p)[0] >= bonferroni(p)[0])


def test_nan_policy():
    p = [0.01, NAN, 0.04]
    reject, adjusted = bonferroni(p)
    np.testing.assert_allclose(adjusted, [0.02, NAN, 0.08])
    np.testing.assert_array_equal(reject, [True, False, False])
    reject, adjusted = benjamini_hochberg(p)
    np.testing.assert_allclose(adjusted, [0.02, NAN, 0.04])
    np.testing.assert_array_equal(reject, [True, False, True])
    reject, adjusted = benjamini_hochberg([NAN, NAN])
    assert np.isnan(adjusted).all() and not reject.any()


def test_empty_input():
    for method in (bonferroni, benjamini_hochberg):
        reject, adjusted = method([])
        assert reject.shape == adjusted.shape == (0,)


@pytest.mark.parametrize("method", [bonferroni, benjamini_hochberg])
def test_errors(method):
    with pytest.raises(
        ValueError, match=r"alpha must be a finite number in \(0, 1\); got 0"
    ):
        method([0.1], alpha=0)
    with pytest.raises(ValueError, match="alpha must be"):
        method([0.1], alpha=1.0)
    with pytest.raises(TypeError, match="alpha must be a real number; got bool"):
        method([0.1], alpha=True)
    with pytest.raises(ValueError, match=r"pvalues must lie in \[0, 1\].*got 1.5"):
        method([0.1, 1.5])
    with pytest.raises(ValueError, match="pvalues must lie in"):
        method([-0.1])
    with pytest.raises(ValueError, match=r"pvalues must be a 1-D array; got shape"):
        method([[0.1, 0.2]])
    with pytest.raises(TypeError, match="pvalues must be an array of numbers"):
        method(["a"])


# --------------------------------------------------------------------------
# False discovery proportion and family-wise error
# --------------------------------------------------------------------------


def test_fdp_and_fwe_values():
    assert false_discovery_proportion(
        [True, True, True, False], [True] + [False] * 3
    ) == (pytest.approx(1 / 3))
    assert false_discovery_proportion([False, False], [True, True]) == 0.0
    np.testing.assert_allclose(
        false_discovery_proportion(
            [[True, True], [False, True], [False, False]],
            [[True, True], [True, True], [False, False]],
        ),
        [1.0, 1.0, 0.0],
    )
    assert family_wise_error([False, True], [True, False]) is False
    assert family_wise_error([True, True], [True, False]) is True
    np.testing.assert_array_equal(
        family_wise_error([[True, False], [False, True]], [[False, True]] * 2),
        [False, True],
    )


def test_fdp_fwe_errors():
    for f in (false_discovery_proportion, family_wise_error):
        with pytest.raises(TypeError, match="reject must be a boolean array; got"):
            f([1, 0], [True, False])
        with pytest.raises(TypeError, match="is_null must be a boolean array"):
            f([True], [0.5])
        with pytest.raises(ValueError, match="must have the same shape; got"):
            f([True, False], [True])
        with pytest.raises(ValueError, match=r"reject must be 1-D .* or 2-D"):
            f(np.zeros((1, 1, 1), dtype=bool), np.zeros((1, 1, 1), dtype=bool))


# --------------------------------------------------------------------------
# Error-rate control by simulation
# --------------------------------------------------------------------------

N_EXPERIMENTS = 10_000
M, M0 = 20, 15
DELTA = 1e-6


def _simulate(rng):
    """Independent p-values: M0 uniform nulls, M - M0 one-sided z-tests, mean 3."""
    null = rng.random((N_EXPERIMENTS, M0))
    alt = stats.norm.sf(rng.standard_normal((N_EXPERIMENTS, M - M0)) + 3.0)
    p = np.concatenate([null, alt], axis=1)
    is_null = np.zeros((N_EXPERIMENTS, M), dtype=bool)
    is_null[:, :M0] = True
    return p, is_null


def test_bh_controls_fdr_under_independence():
    alpha = 0.05
    p, is_null = _simulate(np.random.default_rng(11))
    reject = np.array([benjamini_hochberg(row, alpha)[0] for row in p])
    fdp = false_discovery_proportion(reject, is_null)
    # FDP lies in [0, 1]: Hoeffding, two-sided, at 1e-6.
    tol = math.sqrt(math.log(2 / DELTA) / (2 * N_EXPERIMENTS))  # 0.027
    # Benjamini-Hochberg: FDR = alpha * m0 / m exactly for independent
    # continuous p-values.
    assert abs(fdp.mean() - alpha * M0 / M) <= tol
    assert fdp.mean() <= alpha + tol
    # Power of the check: testing each at alpha without correction breaks it.
    naive_fdp = false_discovery_proportion(p <= alpha, is_null)
    assert naive_fdp.mean() > alpha + tol
    # BH finds most of the signals (mean 3: power about 0.5 per test).
    assert reject[:, M0:].mean() > 0.3


def test_bonferroni_controls_fwer():
    alpha = 0.05
    p, is_null = _simulate(np.random.default_rng(12))
    reject = np.array([bonferroni(row, alpha)[0] for row in p])
    errors = int(family_wise_error(reject, is_null).sum())
    # FWER = 1 - (1 - alpha/m)^m0 = 0.0368 <= alpha; one-sided binomial 1e-6.
    limit = stats.binom.isf(DELTA, N_EXPERIMENTS, alpha)
    assert errors <= limit
    exact = 1 - (1 - alpha / M) ** M0
    lo = stats.binom.ppf(DELTA / 2, N_EXPERIMENTS, exact)
    hi = stats.binom.isf(DELTA / 2, N_EXPERIMENTS, exact)
    assert lo <= errors <= hi
    uncorrected = int(family_wise_error(p <= alpha, is_null).sum())
    assert uncorrected > limit
