"""Statistical privacy audits of every mechanism in course_lib.privacy.

Each audit runs a mechanism n times on neighbouring inputs d, d' and reports
a Clopper-Pearson lower confidence bound on epsilon with alpha = 1e-6,
Bonferroni-split over 4 x (number of events) one-sided bounds. Hence:

* false-failure rate: for a correct mechanism, P(lower bound > claimed
  epsilon) <= 1e-6 per test (and seeds are fixed, so runs are reproducible);
* power: each mechanism has a broken variant (half the noise scale, i.e.
  the mechanism run at 2 epsilon; for randomised response a wrong keep
  probability) whose bound must exceed the claimed epsilon. The closed-form
  power checks below show that, at the n used, the bound would still exceed
  the claim if every count came out 5 standard deviations on the unlucky side
  (a chance below 1e-6).
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from course_lib.privacy import (
    AuditResult,
    above_threshold,
    audit_mechanism,
    discrete_gaussian,
    discrete_laplace_mechanism,
    epsilon_lower_bound,
    equality_events,
    exponential_mechanism,
    exponential_mechanism_probabilities,
    gaussian_sigma,
    laplace_mechanism,
    private_quantile,
    randomized_response,
    report_noisy_max,
    threshold_events,
)
from course_lib.privacy._audit import _cp_lower, _cp_upper

ALPHA = 1e-6  # false-failure rate of every audit below
EPS = 1.0  # the claimed epsilon
DELTA = 1e-5
N = 500_000  # runs per input


# ----------------------------------------------------------- the mechanisms
# Each factory takes f: f = 1 is the mechanism as claimed, f = 2 the broken
# variant with half the noise scale (the scale is Δ/ε, so ε -> 2ε).


def _laplace(f):
    return lambda x, n, rng: laplace_mechanism(
        np.full(n, float(x)), 1.0, f * EPS, rng=rng
    )


def _gaussian(f):
    # half the analytic sigma for the broken variant
    sigma = gaussian_sigma(1.0, EPS, DELTA) / f
    return lambda x, n, rng: x + sigma * rng.standard_normal(n)


def _rr(f):
    if f == 1:
        return lambda b, n, rng: randomized_response(
            np.full(n, b, np.int8), EPS, rng=rng
        )

    # Broken: flips with probability e^-ε / 2 (a Laplace-tail formula) instead
    # of 1 / (1 + e^ε): the true epsilon is ln(2 e^ε - 1) = 1.49 for ε = 1.
    def broken(b, n, rng):
        return np.full(n, b, np.int8) ^ (rng.random(n) < math.exp(-EPS) / 2)

    return broken


K = 10  # candidates for the selection mechanisms
U_D = np.r_[1.0, np.zeros(K - 1)]  # utilities change by at most Δ = 1
U_DP = np.r_[0.0, np.ones(K - 1)]


def _expmech(f):
    return lambda u, n, rng: exponential_mechanism(u, 1.0, f * EPS, rng=rng, size=n)


def _rnm(f):
    return lambda u, n, rng: report_noisy_max(u, 1.0, f * EPS, rng=rng, size=n)


AT_D = np.r_[np.zeros(K - 1), 1.0]
AT_DP = np.r_[np.ones(K - 1), 0.0]


def _at(f):
    return lambda v, n, rng: above_threshold(v, 0.0, 1.0, f * EPS, rng=rng, size=n)


Q_D = np.array([0.0, 0.9, 0.9, 1.0])  # one record moves from 1.0 to 0.0
Q_DP = np.array([0.0, 0.9, 0.9, 0.0])


def _quantile(f):
    return lambda d, n, rng: private_quantile(
        d, 0.5, 0.0, 1.0, f * EPS, rng=rng, size=n
    )


def _dlaplace(f):
    eps = Fraction(EPS).limit_denominator() * f
    return lambda x, n, rng: discrete_laplace_mechanism(
        np.full(n, x, np.int64), 1, eps, rng=rng
    )


DG_SIGMA2 = Fraction(14)  # about the analytic Gaussian's 3.73^2 for (1, 1e-5)


def _dg_delta(sigma2, eps):
    """Exact δ(ε) of the discrete Gaussian, shift 1 (hockey-stick by summation)."""
    x = np.arange(-2000, 2001)
    p = np.exp(-(x**2) / (2 * sigma2))
    p /= p.sum()
    q = np.exp(-((x - 1) ** 2) / (2 * sigma2))
    q /= q.sum()
    return float(np.maximum(q - math.exp(eps) * p, 0).sum())


DG_DELTA = _dg_delta(14.0, EPS)


def _dgauss(f):
    s2 = DG_SIGMA2 / (f * f)
    return lambda x, n, rng: x + discrete_gaussian(s2, size=n, rng=rng)


CASES = {
    # name: (factory, d, d', events, delta)
    "laplace": (_laplace, 1, 0, threshold_events([0.5, 1.0, 2.0, 3.0]), 0.0),
    "gaussian": (_gaussian, 1, 0, threshold_events([2, 4, 6, 8, 10]), DELTA),
    "randomized_response": (_rr, 1, 0, equality_events([0, 1]), 0.0),
    "exponential_mechanism": (_expmech, U_D, U_DP, equality_events(range(K)), 0.0),
    "report_noisy_max": (_rnm, U_D, U_DP, equality_events(range(K)), 0.0),
    "above_threshold": (_at, AT_D, AT_DP, equality_events(range(-1, K)), 0.0),
    "private_quantile": (_quantile, Q_D, Q_DP, threshold_events([0.5, 0.9, 0.95]), 0.0),
    "discrete_laplace": (_dlaplace, 1, 0, equality_events(range(6)), 0.0),
    "discrete_gaussian": (_dgauss, 1, 0, threshold_events([2, 4, 6, 8, 10]), DG_DELTA),
}


def _audit(name, f, seed):
    factory, d, dp, events, delta = CASES[name]
    return audit_mechanism(
        factory(f),
        d,
        dp,
        events,
        n=N,
        rng=np.random.default_rng(seed),
        alpha=ALPHA,
        delta=delta,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_correct_mechanism_passes_audit(name):
    res = _audit(name, 1, seed=11)
    # false failure <= 1e-6: the bound exceeds the true epsilon w.p. <= ALPHA
    assert 0.0 <= res.epsilon_lower <= EPS, res
    assert res.counts.shape == (len(CASES[name][3]), 2)


@pytest.mark.parametrize("name", list(CASES))
def test_broken_variant_is_caught(name):
    res = _audit(name, 2, seed=12)
    assert res.epsilon_lower > EPS, res


# ---------------------------------------------------- power, in closed form


def _bound_at_5sd(p, q, n, n_events, delta=0.0):
    """The audit's bound if P(E|d) = p, P(E|d') = q and both counts land 5 sd
    on the unlucky side (p low, q high)."""
    level = ALPHA / (4 * n_events)
    k = math.floor(n * p - 5 * math.sqrt(n * p * (1 - p)))
    k2 = math.ceil(n * q + 5 * math.sqrt(n * q * (1 - q)))
    return math.log(
        (float(_cp_lower(k, n, level)) - delta) / float(_cp_upper(k2, n, level))
    )


def test_power_laplace_closed_form():
    # broken: Lap(1/2); event y > 1: p = 1/2 (d = 1), q = e^-2 / 2 (d' = 0)
    assert _bound_at_5sd(0.5, math.exp(-2) / 2, N, 4) > EPS


def test_power_gaussian_closed_form():
    s = gaussian_sigma(1.0, EPS, DELTA) / 2
    p, q = stats.norm.sf(4, 1, s), stats.norm.sf(4, 0, s)
    assert _bound_at_5sd(p, q, N, 5, DELTA) > EPS


def test_power_randomized_response_closed_form():
    flip = math.exp(-EPS) / 2
    assert _bound_at_5sd(1 - flip, flip, N, 2) > EPS


def test_power_exponential_mechanism_closed_form():
    p = exponential_mechanism_probabilities(U_D, 1.0, 2 * EPS)[0]
    q = exponential_mechanism_probabilities(U_DP, 1.0, 2 * EPS)[0]
    assert _bound_at_5sd(p, q, N, K) > EPS


def test_power_quantile_closed_form():
    def tail(data, eps, t=0.9):  # P(output > t), piecewise uniform
        z = np.r_[0.0, np.sort(data), 1.0]
        length = np.diff(z)
        w = length * np.exp(-eps * np.abs(np.arange(len(data) + 1) - len(data) / 2) / 2)
        frac = np.clip((z[1:] - t) / np.where(length > 0, length, 1), 0, 1)
        return float((w * frac).sum() / w.sum())

    p, q = tail(Q_D, 2 * EPS), tail(Q_DP, 2 * EPS)
    assert math.log(p / q) > 1.8  # the true loss of this event
    assert math.log(tail(Q_D, EPS) / tail(Q_DP, EPS)) <= EPS
    assert _bound_at_5sd(p, q, N, 3) > EPS


@pytest.mark.parametrize(
    "name", ["report_noisy_max", "above_threshold", "discrete_gaussian"]
)
def test_power_margin_over_seeds(name):
    # No closed form used: the broken variant is caught for several seeds.
    for seed in (1, 2, 3):
        assert _audit(name, 2, seed=100 + seed).epsilon_lower > EPS


def test_discrete_gaussian_delta_is_small():
    # the claim audited above is (1, δ) with δ from CKS's exact formula
    assert 0 < DG_DELTA < 2e-5


# ------------------------------------------------------ the bound itself


def test_clopper_pearson_matches_scipy():
    n, level = 1000, 0.025
    for k in (0, 1, 37, 999, 1000):
        ci = stats.binomtest(k, n).proportion_ci(
            confidence_level=1 - 2 * level, method="exact"
        )
        assert float(_cp_lower(k, n, level)) == pytest.approx(ci.low, abs=1e-12)
        assert float(_cp_upper(k, n, level)) == pytest.approx(ci.high, abs=1e-12)


def test_epsilon_lower_bound_formula():
    a = np.r_[np.ones(600, bool), np.zeros(400, bool)]
    b = np.r_[np.ones(200, bool), np.zeros(800, bool)]

    def event(y):
        return y

    lb = epsilon_lower_bound(a, b, event, alpha=0.01)
    lo = stats.beta.ppf(0.005, 600, 401)
    hi = stats.beta.isf(0.005, 201, 800)
    assert lb == pytest.approx(math.log(lo / hi))
    assert lb < math.log(3)  # the point estimate
    assert epsilon_lower_bound(b, a, event) == 0.0  # no evidence: 0
    with_delta = epsilon_lower_bound(a, b, event, alpha=0.01, delta=0.1)
    assert with_delta == pytest.approx(math.log((lo - 0.1) / hi))


def test_lower_bound_never_above_truth_in_repeated_audits():
    # At alpha = 0.05, over 200 audits of Laplace(eps = 1) on the optimal
    # event, the bound exceeds 1 in at most ~5% (binomial 1e-6 slack).
    rng = np.random.default_rng(3)
    y1 = 1 + rng.laplace(0, 1, size=(200, 2000))
    y0 = rng.laplace(0, 1, size=(200, 2000))
    over = sum(
        epsilon_lower_bound(y1[i], y0[i], lambda y: y > 1, alpha=0.05) > 1
        for i in range(200)
    )
    assert stats.binomtest(over, 200, 0.05, alternative="greater").pvalue > ALPHA


def test_audit_result_fields():
    res = _audit("laplace", 1, seed=5)
    assert isinstance(res, AuditResult)
    assert res.n == N and res.alpha == ALPHA
    assert res.direction in ("d", "d_prime")
    assert 0 <= res.best_event < 4


def test_audit_errors():
    rng = np.random.default_rng(0)
    mech = _laplace(1)
    ev = threshold_events([0.0])
    with pytest.raises(ValueError, match="events must contain at least one event"):
        audit_mechanism(mech, 1, 0, [], n=10, rng=rng)
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        audit_mechanism(mech, 1, 0, ev, n=0, rng=rng)
    with pytest.raises(TypeError, match="n must be an integer; got float"):
        audit_mechanism(mech, 1, 0, ev, n=10.0, rng=rng)
    with pytest.raises(
        ValueError, match="alpha must be a finite number in \\(0, 1\\); got 2"
    ):
        audit_mechanism(mech, 1, 0, ev, n=10, rng=rng, alpha=2)
    with pytest.raises(TypeError, match="alpha must be a real number; got str"):
        audit_mechanism(mech, 1, 0, ev, n=10, rng=rng, alpha="0.05")
    with pytest.raises(
        ValueError, match=r"delta must be a finite number in \[0, 1\); got -0\.1"
    ):
        audit_mechanism(mech, 1, 0, ev, n=10, rng=rng, delta=-0.1)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        audit_mechanism(mech, 1, 0, ev, n=10, rng=0)
    with pytest.raises(ValueError, match="mechanism must return n=10 outputs"):
        audit_mechanism(lambda x, n, rng: np.zeros(3), 1, 0, ev, n=10, rng=rng)
    with pytest.raises(ValueError, match="event must return a boolean array"):
        epsilon_lower_bound(np.zeros(3), np.zeros(3), lambda y: y)
    with pytest.raises(ValueError, match="samples must be non-empty"):
        epsilon_lower_bound(np.zeros(0), np.zeros(3), lambda y: y > 0)
    with pytest.raises(ValueError, match="thresholds must be non-empty"):
        threshold_events([])
    with pytest.raises(ValueError, match="values must be non-empty"):
        equality_events([])
