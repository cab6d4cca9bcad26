"""Tests for course_lib.privacy._mechanisms.

Statistical assertions are calibrated to fail by chance with probability at
most 1e-6 each (seeds are fixed, so they are also deterministic).
"""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from course_lib.privacy import (
    above_threshold,
    classic_gaussian_sigma,
    exponential_mechanism,
    exponential_mechanism_probabilities,
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
    private_count,
    private_mean,
    private_quantile,
    private_sum,
    randomized_response,
    randomized_response_estimate,
    report_noisy_max,
    sparse_vector,
)

ALPHA = 1e-6
Z = stats.norm.isf(ALPHA / 2)  # two-sided 1e-6: 4.89


@pytest.fixture
def rng():
    return np.random.default_rng(20240501)


def _binom_ok(k, n, p):
    return stats.binomtest(int(k), int(n), p).pvalue > ALPHA


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize("bad", [-1, 0, math.inf, math.nan])
def test_epsilon_validated(bad, rng):
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0"):
        laplace_mechanism(0.0, 1.0, bad, rng=rng)


@pytest.mark.parametrize("bad", ["1", True, None, [1.0]])
def test_epsilon_of_the_wrong_type_is_a_type_error(bad, rng):
    with pytest.raises(TypeError, match="epsilon must be a real number; got"):
        laplace_mechanism(0.0, 1.0, bad, rng=rng)


def test_numpy_scalars_pass_as_parameters(rng):
    value = laplace_mechanism(0.0, np.int64(1), np.float32(1.0), rng=rng)
    assert isinstance(value, float)
    assert gaussian_sigma(np.float64(1.0), 1.0, np.float64(1e-5)) == gaussian_sigma(
        1.0, 1.0, 1e-5
    )


def test_error_messages_name_value(rng):
    with pytest.raises(ValueError, match=r"epsilon must be .*; got -1"):
        randomized_response([0, 1], -1, rng=rng)
    with pytest.raises(ValueError, match=r"sensitivity must be .*; got 0"):
        laplace_mechanism(0.0, 0, 1.0, rng=rng)
    with pytest.raises(
        ValueError, match=r"delta must be a finite number in \(0, 1\); got 1"
    ):
        gaussian_sigma(1.0, 1.0, 1)
    with pytest.raises(
        ValueError, match="epsilon must be in \\(0, 1\\) for the classic"
    ):
        classic_gaussian_sigma(1.0, 2.0, 1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: randomized_response([0, 1], 1.0, rng=r),
        lambda r: laplace_mechanism(0.0, 1.0, 1.0, rng=r),
        lambda r: gaussian_mechanism(0.0, 1.0, 1.0, 1e-5, rng=r),
        lambda r: exponential_mechanism([0.0, 1.0], 1.0, 1.0, rng=r),
        lambda r: report_noisy_max([0.0, 1.0], 1.0, 1.0, rng=r),
        lambda r: above_threshold([0.0, 1.0], 0.5, 1.0, 1.0, rng=r),
        lambda r: sparse_vector([0.0, 1.0], 0.5, 1.0, 1.0, 1, rng=r),
        lambda r: private_quantile([1.0, 2.0], 0.5, 0, 3, 1.0, rng=r),
        lambda r: private_count([True], 1.0, rng=r),
        lambda r: private_sum([1.0], 0, 1, 1.0, rng=r),
        lambda r: private_mean([1.0], 0, 1, 1.0, rng=r),
    ],
)
@pytest.mark.parametrize("bad_rng", [0, None, np.random.RandomState(0)])
def test_rng_must_be_generator(call, bad_rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        call(bad_rng)


def test_input_validation(rng):
    with pytest.raises(TypeError, match="bits must be booleans or integers"):
        randomized_response([0.0, 1.0], 1.0, rng=rng)
    with pytest.raises(TypeError, match="value must be numeric"):
        laplace_mechanism(["a"], 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="utilities must be finite or -inf"):
        exponential_mechanism([0.0, np.nan], 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="utilities must be finite or -inf"):
        exponential_mechanism([0.0, np.inf], 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="at least one finite"):
        exponential_mechanism([-np.inf, -np.inf], 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="utilities must be a non-empty 1-D array"):
        exponential_mechanism([[0.0, 1.0]], 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match="size must be an integer >= 1; got 0"):
        report_noisy_max([0.0, 1.0], 1.0, 1.0, rng=rng, size=0)
    with pytest.raises(TypeError, match="size must be an integer; got float"):
        report_noisy_max([0.0, 1.0], 1.0, 1.0, rng=rng, size=2.0)
    with pytest.raises(ValueError, match="c must be an integer >= 1; got 0"):
        sparse_vector([0.0], 0.0, 1.0, 1.0, 0, rng=rng)
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        above_threshold([0.0], np.nan, 1.0, 1.0, rng=rng)
    with pytest.raises(ValueError, match=r"q must be a finite number in \[0, 1\]"):
        private_quantile([1.0], 1.5, 0, 1, 1.0, rng=rng)
    with pytest.raises(ValueError, match="lower must be less than upper"):
        private_quantile([1.0], 0.5, 1, 1, 1.0, rng=rng)
    with pytest.raises(ValueError, match="data must be finite"):
        private_quantile([np.nan], 0.5, 0, 1, 1.0, rng=rng)
    with pytest.raises(ValueError, match="values must not contain NaN"):
        private_sum([np.nan], 0, 1, 1.0, rng=rng)
    with pytest.raises(ValueError, match="lower must be less than upper"):
        private_mean([1.0], 2, 1, 1.0, rng=rng)
    with pytest.raises(ValueError, match="responses must be non-empty"):
        randomized_response_estimate([], 1.0)


# ----------------------------------------------------- randomised response


@pytest.mark.parametrize("dtype", [bool, np.int8, np.int64, np.uint8])
def test_rr_keeps_dtype_and_shape(dtype, rng):
    bits = np.zeros((3, 4), dtype=dtype)
    out = randomized_response(bits, 1.0, rng=rng)
    assert out.dtype == np.dtype(dtype)
    assert out.shape == (3, 4)


@pytest.mark.parametrize("eps", [0.1, 1.0, 3.0])
def test_rr_flip_rate(eps, rng):
    n = 400_000
    bits = rng.random(n) < 0.5
    out = randomized_response(bits, eps, rng=rng)
    assert _binom_ok(np.count_nonzero(out != bits), n, 1 / (1 + math.exp(eps)))
    # flips are independent of the bit's value
    assert _binom_ok(
        np.count_nonzero(out[bits] != 1), bits.sum(), 1 / (1 + math.exp(eps))
    )


def test_rr_large_epsilon_is_identity(rng):
    bits = rng.integers(0, 2, size=1000).astype(np.int8)
    assert np.array_equal(randomized_response(bits, 1000.0, rng=rng), bits)


def test_rr_estimate_unbiased(rng):
    n, share, eps = 400_000, 0.3, 0.5
    truth = rng.random(n) < share
    est = randomized_response_estimate(randomized_response(truth, eps, rng=rng), eps)
    keep = 1 / (1 + math.exp(-eps))
    m = (1 - keep) + (2 * keep - 1) * truth.mean()
    sd = math.sqrt(m * (1 - m) / n) / (2 * keep - 1)
    assert abs(est - truth.mean()) < Z * sd


# ---------------------------------------------------------------- Laplace


def test_laplace_scalar_and_shape(rng):
    assert isinstance(laplace_mechanism(3, 1.0, 1.0, rng=rng), float)
    out = laplace_mechanism(np.arange(6.0).reshape(2, 3), 1.0, 1.0, rng=rng)
    assert out.shape == (2, 3)
    assert out.dtype == float


def test_laplace_does_not_modify_input(rng):
    x = np.zeros(10)
    laplace_mechanism(x, 1.0, 1.0, rng=rng)
    assert not x.any()


@pytest.mark.parametrize(("sens", "eps"), [(1.0, 1.0), (2.0, 0.5), (1.0, 4.0)])
def test_laplace_variance_is_2b2(sens, eps, rng):
    # E X^2 = 2 b^2 and Var X^2 = E X^4 - (E X^2)^2 = 24 b^4 - 4 b^4 = 20 b^4:
    # a CLT bound on the mean of X^2 at two-sided level 1e-6.
    n, b = 1_000_000, sens / eps
    x = laplace_mechanism(np.full(n, 5.0), sens, eps, rng=rng) - 5.0
    assert abs((x**2).mean() - 2 * b**2) < Z * math.sqrt(20 * b**4 / n)
    assert abs(x.mean()) < Z * math.sqrt(2 * b**2 / n)
    # the tail P(|X| > b) = e^-1, a binomial test at 1e-6
    assert _binom_ok(np.count_nonzero(np.abs(x) > b), n, math.exp(-1))


# --------------------------------------------------------------- Gaussian


def _hockey_stick(sigma, eps):
    """δ(ε) of N(Δ=1, σ²) vs N(0, σ²) by numerical integration."""
    f = lambda x: max(  # noqa: E731
        0.0,
        stats.norm.pdf(x, 1.0, sigma) - math.exp(eps) * stats.norm.pdf(x, 0.0, sigma),
    )
    cut = 0.5 + eps * sigma**2  # the integrand is positive only above this
    val, _ = integrate.quad(f, cut, cut + 40 * sigma, epsabs=1e-14, epsrel=1e-10)
    return val


@pytest.mark.parametrize(
    ("eps", "delta"), [(0.5, 1e-5), (1.0, 1e-5), (4.0, 1e-6), (20.0, 1e-3)]
)
def test_gaussian_sigma_is_tight(eps, delta):
    sigma = gaussian_sigma(1.0, eps, delta)
    assert _hockey_stick(sigma, eps) <= delta * (1 + 1e-6)
    assert _hockey_stick(sigma * 0.999, eps) > delta  # the smallest such sigma


def test_gaussian_sigma_scales_and_beats_classic():
    assert gaussian_sigma(3.0, 1.0, 1e-5) == pytest.approx(
        3 * gaussian_sigma(1.0, 1.0, 1e-5)
    )
    for eps in (0.1, 0.5, 0.9):
        assert gaussian_sigma(1.0, eps, 1e-5) < classic_gaussian_sigma(1.0, eps, 1e-5)
    assert classic_gaussian_sigma(1.0, 0.5, 1e-5) == pytest.approx(
        math.sqrt(2 * math.log(1.25e5)) / 0.5
    )


def test_gaussian_mechanism_std(rng):
    n = 1_000_000
    sigma = gaussian_sigma(1.0, 1.0, 1e-5)
    x = gaussian_mechanism(np.zeros(n), 1.0, 1.0, 1e-5, rng=rng)
    # Var of the sample variance of a normal: 2 σ^4 / n
    assert abs((x**2).mean() - sigma**2) < Z * math.sqrt(2 / n) * sigma**2
    assert isinstance(gaussian_mechanism(1.0, 1.0, 1.0, 1e-5, rng=rng), float)


# ------------------------------------------------------------ selection


def test_exponential_probabilities_closed_form():
    p = exponential_mechanism_probabilities([0.0, 1.0, 3.0, -np.inf], 2.0, 1.0)
    w = np.exp(np.array([0.0, 1.0, 3.0]) / 4)
    assert np.allclose(p[:3], w / w.sum())
    assert p[3] == 0.0
    # stable for huge utilities
    p = exponential_mechanism_probabilities([1e6, 1e6], 1.0, 1.0)
    assert np.allclose(p, 0.5)


def test_exponential_frequencies_match(rng):
    u = np.array([0.0, 1.0, 2.0, 4.0, -np.inf])
    p = exponential_mechanism_probabilities(u, 1.0, 1.0)
    n = 400_000
    counts = np.bincount(
        exponential_mechanism(u, 1.0, 1.0, rng=rng, size=n), minlength=5
    )
    assert counts[4] == 0
    assert stats.chisquare(counts[:4], n * p[:4]).pvalue > ALPHA  # multinomial at 1e-6
    single = np.bincount(
        [exponential_mechanism(u, 1.0, 1.0, rng=rng) for _ in range(4000)], minlength=5
    )
    assert stats.chisquare(single[:4], 4000 * p[:4]).pvalue > ALPHA


def test_report_noisy_max_two_values(rng):
    # argmax of v + Exp(s): P(pick the larger) = 1 - exp(-gap / s) / 2, s = 2Δ/ε
    n, gap, s = 400_000, 1.0, 2.0
    picks = report_noisy_max([gap, 0.0], 1.0, 1.0, rng=rng, size=n)
    assert _binom_ok(np.count_nonzero(picks == 0), n, 1 - math.exp(-gap / s) / 2)
    assert report_noisy_max([0.0, 1e6, 0.0], 1.0, 1.0, rng=rng) == 1


def test_above_threshold_and_sparse_vector(rng):
    assert above_threshold([0.0, 0.0, 1e4], 5e3, 1.0, 1.0, rng=rng) == 2
    assert above_threshold([0.0, 0.0], 1e4, 1.0, 1.0, rng=rng) is None
    out = above_threshold([0.0, 1e4], 5e3, 1.0, 1.0, rng=rng, size=5)
    assert out.tolist() == [1] * 5
    out = above_threshold([0.0], 1e4, 1.0, 1.0, rng=rng, size=3)
    assert out.tolist() == [-1] * 3
    vals = [0.0, 1e5, 0.0, 1e5, 1e5, 1e5]
    assert sparse_vector(vals, 5e4, 1.0, 1.0, 3, rng=rng) == [1, 3, 4]
    assert sparse_vector([0.0, 0.0], 5e4, 1.0, 1.0, 3, rng=rng) == []


def test_above_threshold_single_query_probability(rng):
    # One query at the threshold: P(ν >= ρ) = 1/2 by symmetry.
    n = 400_000
    out = above_threshold([0.0], 0.0, 1.0, 1.0, rng=rng, size=n)
    assert _binom_ok(np.count_nonzero(out == 0), n, 0.5)


def test_sparse_vector_c1_matches_above_threshold(rng):
    # c = 1 uses the same noise scales as AboveThreshold: compare the chance
    # that the first of two values at the threshold is reported.
    n = 20_000
    first = sum(
        sparse_vector([0.0, 0.0], 0.0, 1.0, 1.0, 1, rng=rng) == [0] for _ in range(n)
    )
    at = above_threshold([0.0, 0.0], 0.0, 1.0, 1.0, rng=rng, size=400_000)
    p = np.count_nonzero(at == 0) / at.size
    assert abs(first / n - p) < Z * math.sqrt(p * (1 - p) / n) + 0.003


# ------------------------------------------------------ quantile, counts


def test_private_quantile(rng):
    data = rng.normal(50, 10, size=2000)
    meds = private_quantile(data, 0.5, 0, 100, 5.0, rng=rng, size=1000)
    assert meds.shape == (1000,)
    assert np.all((meds >= 0) & (meds <= 100))
    assert abs(np.median(meds) - np.median(data)) < 1.0
    assert isinstance(private_quantile(data, 0.9, 0, 100, 1.0, rng=rng), float)
    # no data: uniform on [lower, upper]
    u = private_quantile([], 0.5, 0, 1, 1.0, rng=rng, size=100_000)
    assert stats.kstest(u, "uniform").pvalue > ALPHA


def test_private_quantile_interval_probabilities(rng):
    # data 0.5 in [0, 1], q = 1/2 -> n q = 1/2: both intervals equally likely
    out = private_quantile([0.5], 0.5, 0, 1, 1.0, rng=rng, size=200_000)
    assert _binom_ok(np.count_nonzero(out < 0.5), out.size, 0.5)


def test_private_count_sum_mean(rng):
    mask = np.arange(1000) < 300
    counts = np.array([private_count(mask, 1.0, rng=rng) for _ in range(2000)])
    assert abs(counts.mean() - 300) < Z * math.sqrt(2 / 2000)
    assert private_count(np.zeros(7), 1e9, rng=rng) == pytest.approx(7)
    vals = np.array([-5.0, 2.0, 20.0])
    assert private_sum(vals, 0, 10, 1e9, rng=rng) == pytest.approx(12.0)
    assert private_mean(vals, 0, 10, 1e9, rng=rng) == pytest.approx(4.0)
    means = [private_mean(np.full(10, 5.0), 0, 10, 0.01, rng=rng) for _ in range(200)]
    assert min(means) >= 0 and max(means) <= 10
