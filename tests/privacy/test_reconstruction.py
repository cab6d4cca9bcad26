"""Tests of course_lib.privacy._reconstruction: the Dinur-Nissim reconstruction attack.

Randomised tests use fixed seeds, so they are deterministic; each states why
the property holds for (almost) every seed, with the false-failure rate.
"""

import numpy as np
import pytest
from scipy.stats import norm

from course_lib.privacy import (
    answer_queries,
    census_block,
    dinur_nissim_reconstruct,
    reconstruction_curve,
    reconstruction_rate,
    subset_sum_queries,
)


def _trial(n, m, scale, seed, *, noise="uniform", method="lp"):
    rng = np.random.default_rng(seed)
    secret = rng.integers(0, 2, size=n)
    queries = subset_sum_queries(n, m, rng=rng)
    answers = answer_queries(queries, secret, scale, rng=rng, noise=noise)
    return reconstruction_rate(
        dinur_nissim_reconstruct(queries, answers, method=method), secret
    )


@pytest.mark.parametrize("method", ["lp", "lstsq"])
def test_exact_answers_recover_every_bit(method):
    # With m = 4n random 0/1 rows, A has full column rank except with
    # probability far below 1e-6, so A x = b has the secret as its unique
    # solution in [0, 1]^n and both decoders return it.
    for seed in range(3):
        assert _trial(100, 400, 0.0, seed, method=method) == 1.0


def test_bounded_noise_o_sqrt_n_recovers_nearly_all_bits():
    # Noise bounded by E = 2 = sqrt(n) / 5, n = 100, m = 400.
    # lstsq: the error of a coordinate is about normal with sd
    # 2 sigma / sqrt(m - n) (sigma = E / sqrt(3) for uniform noise), so a bit is
    # wrong with probability Phi(-sqrt(m - n) / (4 sigma)) = Phi(-3.75) = 9e-5;
    # 5 or more wrong bits of 100 (rate < 0.95) has probability < 1e-12.
    p_bit = norm.cdf(-np.sqrt(300) / (4 * 2 / np.sqrt(3)))
    assert p_bit < 1e-4
    assert _trial(100, 400, 2.0, 0, method="lstsq") >= 0.95
    # LP decoding (L1 fit): no closed form; over 40 seeds we measured a
    # minimum rate of 0.97 and a mean of 0.994. The mean of 3 trials is
    # tested against 0.95.
    rates = [_trial(100, 400, 2.0, seed, method="lp") for seed in range(3)]
    assert np.mean(rates) >= 0.95


def test_noise_well_above_sqrt_n_gives_near_chance():
    # Laplace noise of scale b = 10 sqrt(n) (sd sigma = sqrt(2) b = 141 for
    # n = 100): per bit, lstsq is right with probability about
    # Phi(sqrt(m - n) / (4 sigma)) = 0.515. Over 8 trials (800 bits) the rate
    # has sd about 0.5 / sqrt(800) = 0.018, so a mean outside [0.40, 0.62]
    # is more than 5.8 sd away: false failure < 1e-8 (normal approximation).
    # Power: the same decoder with noise E = 2 gets >= 0.95 (test above).
    n, m = 100, 400
    assert norm.cdf(np.sqrt(m - n) / (4 * np.sqrt(2) * 10 * np.sqrt(n))) < 0.52
    rates = [
        _trial(n, m, 10 * np.sqrt(n), seed, noise="laplace", method="lstsq")
        for seed in range(8)
    ]
    assert 0.40 <= np.mean(rates) <= 0.62


def test_reconstruction_curve():
    curve = reconstruction_curve(
        60,
        240,
        [0.0, 1.0, 60.0],
        rng=np.random.default_rng(0),
        trials=2,
        noise="gaussian",
    )
    assert list(curve.columns) == ["noise_scale", "success_rate"]
    assert curve["noise_scale"].tolist() == [0.0, 1.0, 60.0]
    assert curve["success_rate"].iloc[0] == 1.0
    assert curve["success_rate"].iloc[1] >= 0.95
    # Gaussian sd 60 ~ 7.7 sqrt(n): per-bit accuracy ~ Phi(0.056) = 0.52;
    # 120 bits, sd 0.046: > 0.75 is 5 sd out.
    assert curve["success_rate"].iloc[2] < 0.75


def test_answer_queries_noise_distributions():
    rng = np.random.default_rng(0)
    q = np.ones((20_000, 4), dtype=np.int8)
    secret = np.array([1, 0, 1, 1])
    uniform = answer_queries(q, secret, 2.0, rng=rng) - 3
    assert np.abs(uniform).max() <= 2.0
    laplace = answer_queries(q, secret, 2.0, rng=rng, noise="laplace") - 3
    # Var = 2 b^2 = 8; the sample variance of 20,000 draws has sd
    # sqrt((mu4 - sigma^4) / N) = sqrt((24 b^4 - 4 b^4) / N) = 0.51: +-3.0 is > 5 sd.
    assert abs(laplace.var() - 8.0) < 3.0
    gaussian = answer_queries(q, secret, 2.0, rng=rng, noise="gaussian") - 3
    assert abs(gaussian.std() - 2.0) < 0.06  # sd of the sd: 2/sqrt(2N) = 0.01
    assert (answer_queries(q[:3], secret, 0, rng=rng) == 3).all()


def test_dinur_nissim_errors():
    rng = np.random.default_rng(0)
    q = subset_sum_queries(4, 8, rng=rng)
    with pytest.raises(
        ValueError,
        match="noise must be 'uniform' or 'laplace' or 'gaussian'; got 'cauchy'",
    ):
        answer_queries(q, np.ones(4), 1.0, rng=rng, noise="cauchy")
    with pytest.raises(
        ValueError,
        match=r"noise_bound_or_scale must be a finite number >= 0; got -1\.0",
    ):
        answer_queries(q, np.ones(4), -1.0, rng=rng)
    with pytest.raises(ValueError, match="queries must have one column per person"):
        answer_queries(q, np.ones(5), 1.0, rng=rng)
    with pytest.raises(ValueError, match="answers must have one entry per query"):
        dinur_nissim_reconstruct(q, np.ones(3))
    with pytest.raises(ValueError, match="method must be 'lp' or 'lstsq'"):
        dinur_nissim_reconstruct(q, np.ones(8), method="magic")
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        subset_sum_queries(0, 3, rng=rng)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        subset_sum_queries(3, 3, rng=None)
    with pytest.raises(
        ValueError, match="recovered and secret must have the same shape"
    ):
        reconstruction_rate(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="trials must be an integer >= 1; got 0"):
        reconstruction_curve(5, 10, [0.0], rng=rng, trials=0)


def test_reconstruction_rate_of_blocks_matches_rows_as_a_multiset():
    block = census_block()
    assert reconstruction_rate(block.iloc[::-1], block) == 1.0
    assert reconstruction_rate(block.iloc[[0, 0, 1]], block.iloc[[0, 1, 1]]) == 2 / 3


def test_reconstruction_rate_errors():
    with pytest.raises(TypeError, match="both be DataFrames or both arrays"):
        reconstruction_rate(census_block(), np.ones(7))
