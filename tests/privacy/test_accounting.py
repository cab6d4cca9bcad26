"""Tests for course_lib.privacy._accounting: closed forms and independent checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from course_lib.privacy import (
    BudgetExceededError,
    PrivacyBudget,
    Spend,
    ZCDPBudget,
    advanced_composition,
    gaussian_sigma_for_zcdp,
    parallel_composition,
    rdp_subsampled_gaussian,
    rdp_to_dp,
    rho_for_dp,
    sequential_composition,
    zcdp_of_gaussian,
    zcdp_of_pure_dp,
    zcdp_to_dp,
)

# ---------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------


def analytic_gaussian_epsilon(sigma: float, delta: float) -> float:
    """Exact epsilon of the Gaussian mechanism (Balle and Wang 2018, Thm 8).

    delta(eps) = Phi(1/(2 sigma) - eps sigma) - e^eps Phi(-1/(2 sigma) - eps sigma)
    for sensitivity 1; solved for eps with brentq.
    """

    def gap(eps: float) -> float:
        a = 1 / (2 * sigma)
        return (
            stats.norm.cdf(a - eps * sigma)
            - math.exp(eps) * stats.norm.cdf(-a - eps * sigma)
            - delta
        )

    return optimize.brentq(gap, 0.0, 100.0, xtol=1e-12)


def renyi_mixture_quad(q: float, sigma: float, alpha: int) -> float:
    """D_alpha(mu || nu) for mu = (1-q) N(0, s^2) + q N(1, s^2), nu = N(0, s^2).

    E_nu[(mu/nu)^alpha] integrated numerically; mu/nu = 1 - q + q exp((2x-1)/(2s^2)).
    This is the quantity Mironov, Talwar and Zhang bound for integer alpha.
    """

    def integrand(x: float) -> float:
        log_ratio = math.log1p(q * math.expm1((2 * x - 1) / (2 * sigma**2)))
        return math.exp(stats.norm.logpdf(x, scale=sigma) + alpha * log_ratio)

    # The integrand peaks between 0 and alpha; beyond 40 sigma it is negligible.
    lo, hi = -40 * sigma, alpha + 40 * sigma
    value, _ = integrate.quad(
        integrand,
        lo,
        hi,
        points=[0.0, 0.5, float(alpha)],
        epsabs=0,
        epsrel=1e-12,
        limit=500,
    )
    return math.log(value) / (alpha - 1)


# ---------------------------------------------------------------------------
# Composition
# ---------------------------------------------------------------------------


def test_sequential_and_parallel_closed_forms():
    assert sequential_composition([0.1] * 10) == (pytest.approx(1.0, abs=1e-15), 0.0)
    eps, delta = sequential_composition([0.5, 1.5], [1e-6, 2e-6])
    assert eps == 2.0
    assert delta == pytest.approx(3e-6)
    assert parallel_composition([0.5, 1.5, 0.2], [1e-6, 0.0, 3e-6]) == (1.5, 3e-6)


def test_composition_errors():
    with pytest.raises(ValueError, match="epsilons must hold non-negative finite"):
        sequential_composition([0.5, -1.0])
    with pytest.raises(ValueError, match="epsilons must be a non-empty 1-D"):
        sequential_composition([])
    with pytest.raises(ValueError, match="deltas must have one entry per epsilon"):
        parallel_composition([1.0, 1.0], [1e-5])
    with pytest.raises(ValueError, match=r"deltas must lie in \[0, 1\)"):
        sequential_composition([1.0], [1.0])


def test_advanced_composition_formula_and_beats_basic_for_large_k():
    eps, delta, k, dp = 0.1, 1e-7, 1000, 1e-6
    got = advanced_composition(eps, delta, k, dp)
    expected = math.sqrt(2 * k * math.log(1 / dp)) * eps + k * eps * (math.exp(eps) - 1)
    assert got[0] == pytest.approx(expected, rel=1e-12)
    assert got[1] == pytest.approx(k * delta + dp)
    assert got[0] < sequential_composition([eps] * k)[0] / 3
    # ... but not for a handful of runs of a large epsilon.
    assert advanced_composition(1.0, 0.0, 3, 1e-6)[0] > 3.0


def test_advanced_composition_errors():
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0; got -1"):
        advanced_composition(-1, 0.0, 10, 1e-6)
    with pytest.raises(TypeError, match="k must be an integer; got float"):
        advanced_composition(1.0, 0.0, 2.5, 1e-6)
    with pytest.raises(ValueError, match="k must be an integer >= 1; got 0"):
        advanced_composition(1.0, 0.0, 0, 1e-6)
    with pytest.raises(
        ValueError, match=r"delta_prime must be a finite number in \(0, 1\)"
    ):
        advanced_composition(1.0, 0.0, 5, 0.0)


# ---------------------------------------------------------------------------
# zCDP
# ---------------------------------------------------------------------------


def test_zcdp_closed_forms_and_inverse():
    assert zcdp_of_gaussian(3.0, 2.0) == pytest.approx(4 / 18)
    assert zcdp_of_pure_dp(0.3) == pytest.approx(0.045)
    assert gaussian_sigma_for_zcdp(zcdp_of_gaussian(3.0, 2.0), 2.0) == pytest.approx(
        3.0
    )


def test_zcdp_composition_adds():
    # Two Gaussian releases with sigma_1, sigma_2 equal one with
    # 1/sigma^2 = 1/sigma_1^2 + 1/sigma_2^2 (the Renyi curves add).
    rho = zcdp_of_gaussian(2.0, 1.0) + zcdp_of_gaussian(4.0, 1.0)
    assert rho == pytest.approx(zcdp_of_gaussian(1 / math.sqrt(1 / 4 + 1 / 16), 1.0))
    budget = ZCDPBudget(1.0)
    budget.spend(zcdp_of_gaussian(2.0, 1.0))
    budget.spend(zcdp_of_gaussian(4.0, 1.0))
    assert budget.spent == pytest.approx(rho)
    assert budget.to_dp(1e-6) == pytest.approx(zcdp_to_dp(rho, 1e-6))


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 5.0, 20.0])
@pytest.mark.parametrize("delta", [1e-3, 1e-5, 1e-9])
def test_zcdp_to_dp_is_a_valid_upper_bound_and_beats_classical(sigma, delta):
    rho = zcdp_of_gaussian(sigma, 1.0)
    eps = zcdp_to_dp(rho, delta)
    exact = analytic_gaussian_epsilon(sigma, delta)
    classical = rho + 2 * math.sqrt(rho * math.log(1 / delta))
    # Never claims less privacy loss than the truth ...
    assert eps >= exact - 1e-9
    # ... and is no worse than Bun-Steinke's bound, and not absurdly loose.
    assert eps <= classical + 1e-12
    assert eps <= 1.5 * exact + 0.05


def test_zcdp_to_dp_matches_grid_minimum():
    rho, delta = 0.1, 1e-6
    alphas = np.linspace(1.001, 200, 400_001)
    grid = (
        alphas * rho
        + np.log1p(-1 / alphas)
        - (math.log(delta) + np.log(alphas)) / (alphas - 1)
    )
    assert zcdp_to_dp(rho, delta) == pytest.approx(grid.min(), abs=1e-7)


def test_rho_for_dp_inverts_zcdp_to_dp():
    for eps, delta in [(0.1, 1e-6), (1.0, 1e-5), (8.0, 1e-5)]:
        rho = rho_for_dp(eps, delta)
        assert zcdp_to_dp(rho, delta) <= eps
        assert zcdp_to_dp(rho * (1 + 1e-8), delta) == pytest.approx(eps, rel=1e-6)


def test_zcdp_errors():
    with pytest.raises(ValueError, match="sigma must be a finite number > 0; got 0"):
        zcdp_of_gaussian(0, 1.0)
    with pytest.raises(
        ValueError, match="epsilon must be a finite number > 0; got inf"
    ):
        zcdp_of_pure_dp(math.inf)
    with pytest.raises(
        ValueError, match=r"delta must be a finite number in \(0, 1\); got 1"
    ):
        zcdp_to_dp(0.5, 1)
    with pytest.raises(TypeError, match="rho must be a real number; got str"):
        zcdp_to_dp("1", 1e-5)
    with pytest.raises(ValueError, match=r"rho must be a finite number > 0; got -0\.1"):
        gaussian_sigma_for_zcdp(-0.1, 1.0)


# ---------------------------------------------------------------------------
# RDP of the subsampled Gaussian
# ---------------------------------------------------------------------------


def test_rdp_q1_is_the_gaussian_closed_form():
    orders = np.arange(2, 100)
    for sigma in [0.3, 1.0, 7.0]:
        got = rdp_subsampled_gaussian(1.0, sigma, 5, orders)
        np.testing.assert_allclose(got, 5 * orders / (2 * sigma**2), rtol=1e-13)


def test_rdp_q_near_one_matches_the_binomial_sum_limit():
    # The log-space binomial sum (q < 1 branch) must agree with the closed
    # form as q -> 1: checks the q < 1 code path against alpha / (2 sigma^2).
    orders = np.array([2, 3, 10, 50])
    got = rdp_subsampled_gaussian(1 - 1e-12, 1.5, 1, orders)
    np.testing.assert_allclose(got, orders / (2 * 1.5**2), rtol=1e-9)


@pytest.mark.parametrize(("q", "sigma"), [(0.01, 1.0), (0.05, 0.8), (0.2, 2.0)])
@pytest.mark.parametrize("alpha", [2, 5])
def test_rdp_matches_numerical_integration(q, sigma, alpha):
    got = rdp_subsampled_gaussian(q, sigma, 1, [alpha])[0]
    assert got == pytest.approx(renyi_mixture_quad(q, sigma, alpha), rel=1e-8)


def test_rdp_order_two_closed_form():
    # For alpha = 2: A = (1-q)^2 + 2q(1-q) + q^2 e^{1/sigma^2} = 1 + q^2 (e^{1/s^2} - 1).
    q, sigma = 0.03, 1.3
    expected = math.log1p(q**2 * math.expm1(1 / sigma**2))
    assert rdp_subsampled_gaussian(q, sigma, 1, [2])[0] == pytest.approx(expected)


def test_rdp_is_monotone_and_finite_for_large_orders():
    orders = np.arange(2, 257)
    rdp = rdp_subsampled_gaussian(0.01, 0.5, 1000, orders)
    assert np.all(np.isfinite(rdp))
    assert np.all(np.diff(rdp) >= 0)  # Renyi divergence grows with the order
    # More noise, fewer steps, smaller q: less privacy loss.
    base = rdp_subsampled_gaussian(0.01, 1.0, 100, orders)
    assert np.all(rdp_subsampled_gaussian(0.01, 2.0, 100, orders) < base)
    assert np.all(rdp_subsampled_gaussian(0.01, 1.0, 50, orders) < base)
    assert np.all(rdp_subsampled_gaussian(0.005, 1.0, 100, orders) < base)


def test_rdp_to_dp_reproduces_abadi_et_al():
    # Abadi et al. (2016), Section 3.1: q = 0.01, sigma = 4, T = 10,000,
    # delta = 1e-5 gives epsilon of about 1.26 with the moments accountant
    # (classical conversion); the improved conversion is smaller, never larger.
    orders = np.arange(2, 257)
    rdp = rdp_subsampled_gaussian(0.01, 4.0, 10_000, orders)
    classical = float(np.min(rdp + math.log(1e5) / (orders - 1)))
    assert classical == pytest.approx(1.26, abs=0.005)
    eps, order = rdp_to_dp(orders, rdp, 1e-5)
    assert eps < classical
    assert eps == pytest.approx(1.035, abs=0.001)
    assert order in orders


def test_rdp_to_dp_of_gaussian_is_valid_upper_bound():
    sigma, delta = 3.0, 1e-6
    orders = np.arange(2, 257)
    eps, _ = rdp_to_dp(orders, rdp_subsampled_gaussian(1.0, sigma, 1, orders), delta)
    assert eps >= analytic_gaussian_epsilon(sigma, delta)
    # The integer grid is only slightly worse than the continuous optimum.
    assert eps == pytest.approx(
        zcdp_to_dp(zcdp_of_gaussian(sigma, 1.0), delta), rel=0.02
    )


def test_rdp_errors():
    with pytest.raises(
        ValueError, match=r"q must be a finite number in \(0, 1\]; got 0"
    ):
        rdp_subsampled_gaussian(0, 1.0, 10)
    with pytest.raises(
        ValueError, match="noise_multiplier must be a finite number > 0"
    ):
        rdp_subsampled_gaussian(0.1, 0.0, 10)
    with pytest.raises(ValueError, match="steps must be an integer >= 0; got -1"):
        rdp_subsampled_gaussian(0.1, 1.0, -1)
    with pytest.raises(ValueError, match="orders must be integers >= 2"):
        rdp_subsampled_gaussian(0.1, 1.0, 10, [1.5, 3])
    with pytest.raises(ValueError, match=r"orders must be integers >= 2; got 1\.0"):
        rdp_subsampled_gaussian(0.1, 1.0, 10, [1, 3])
    with pytest.raises(ValueError, match="orders and rdp must be 1-D arrays"):
        rdp_to_dp([2, 3], [0.1], 1e-5)
    with pytest.raises(
        ValueError, match=r"delta must be a finite number in \(0, 1\); got 0"
    ):
        rdp_to_dp([2, 3], [0.1, 0.2], 0)


# ---------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------


def test_budget_records_and_refuses_without_recording():
    budget = PrivacyBudget(1.0, 1e-5)
    for _ in range(10):
        budget.spend(0.1)  # ten times 0.1 fits despite rounding
    assert budget.spent.epsilon == pytest.approx(1.0)
    with pytest.raises(BudgetExceededError, match="epsilon must be at most the 0 left"):
        budget.spend(0.01)
    assert len(budget.history) == 10
    assert budget.remaining == Spend(0.0, 1e-5)
    with pytest.raises(ValueError, match="start a new budget"):  # subclass
        budget.spend(0.5)


def test_budget_delta_and_history():
    budget = PrivacyBudget(2.0, 1e-6)
    budget.spend(0.5, 4e-7)
    with pytest.raises(
        BudgetExceededError, match="delta must be at most the 6e-07 left"
    ):
        budget.spend(0.5, 7e-7)
    assert budget.history == [Spend(0.5, 4e-7)]
    assert budget.spent == (0.5, 4e-7)
    assert "1 queries" in repr(budget)


def test_budget_errors():
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0; got -1"):
        PrivacyBudget(-1)
    with pytest.raises(
        ValueError, match=r"delta must be a finite number in \[0, 1\); got 1\.5"
    ):
        PrivacyBudget(1.0, 1.5)
    budget = PrivacyBudget(1.0)
    with pytest.raises(ValueError, match="epsilon must be a finite number >= 0"):
        budget.spend(-0.1)
    assert budget.history == []


def test_zcdp_budget():
    budget = ZCDPBudget(0.2)
    assert budget.to_dp(1e-5) == 0.0
    budget.spend(0.15)
    with pytest.raises(
        BudgetExceededError, match=r"rho must be at most the 0\.05 left"
    ):
        budget.spend(0.1)
    assert budget.history == [0.15]
    assert budget.remaining == pytest.approx(0.05)
    with pytest.raises(ValueError, match="rho must be a finite number > 0; got 0"):
        ZCDPBudget(0)
