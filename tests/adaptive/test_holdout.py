"""Tests for course_lib.adaptive._holdout.

Statistical assertions fail by chance with probability at most 1e-6 each
(seeds are fixed, so they are also deterministic).
"""

import math

import numpy as np
import pytest
from scipy import stats

from course_lib.adaptive import (
    Thresholdout,
    adaptive_overfitting_experiment,
    naive_holdout,
)

DELTA = 1e-6


def _sum_laplace_tail(c, a, b):
    """P(X + Y >= c), c >= 0, X ~ Lap(a), Y ~ Lap(b) independent, a != b."""
    return (b * b * math.exp(-c / b) - a * a * math.exp(-c / a)) / (2 * (b * b - a * a))


def test_sum_laplace_tail_formula():
    rng = np.random.default_rng(0)
    x = rng.laplace(scale=2.0, size=200_000) + rng.laplace(scale=4.0, size=200_000)
    for c in (0.0, 3.0, 8.0):
        assert _sum_laplace_tail(c, 2.0, 4.0) == pytest.approx(
            (x >= c).mean(), abs=0.01
        )


# --------------------------------------------------------------------------
# naive_holdout
# --------------------------------------------------------------------------


def test_naive_holdout_returns_holdout():
    assert naive_holdout(0.9, 0.5) == 0.5
    assert isinstance(naive_holdout(0.9, 0.5), float)
    np.testing.assert_array_equal(naive_holdout([0.1, 0.2], [0.3, 0.4]), [0.3, 0.4])
    with pytest.raises(ValueError, match="must have the same shape; got"):
        naive_holdout([0.1, 0.2], [0.3])
    with pytest.raises(ValueError, match="holdout_value must be finite"):
        naive_holdout(0.1, float("nan"))
    with pytest.raises(TypeError, match="train_value must be a number"):
        naive_holdout("a", 0.1)
    with pytest.raises(ValueError, match="must be a number or a 1-D array; got shape"):
        naive_holdout([[0.1]], [[0.1]])


# --------------------------------------------------------------------------
# Thresholdout, the algorithm
# --------------------------------------------------------------------------


def test_budget_is_spent_then_bottom():
    # A gap of 1 exceeds T_hat + eta unless Lap(2s) + Lap(4s) >= 0.96 = 24
    # scales of Lap(4s): probability < 1e-9 per query.
    mech = Thresholdout(budget=5, rng=np.random.default_rng(1))
    answers = mech.query(np.ones(8), np.zeros(8))
    assert np.all(np.abs(answers[:5]) < 0.2)  # 0 + Lap(0.01): |xi| < 20 scales
    assert np.isnan(answers[5:]).all()
    assert mech.budget == 0 and mech.n_queries == 8
    assert np.isnan(mech.query(0.5, 0.5))
    assert "budget=0 remaining" in repr(mech)


def test_sequence_answers_are_train_or_noisy_holdout():
    rng = np.random.default_rng(2)
    mech = Thresholdout(budget=10_000, rng=rng)
    t = rng.random(2000)
    h = t + rng.choice([0.0, 0.5], size=2000)
    answers = mech.query(t, h)
    is_train = answers == t
    # Small gaps mostly answered with the training value, large ones never.
    assert is_train[h == t].mean() > 0.6
    assert not is_train[h != t].any()
    assert mech.budget == 10_000 - int((~is_train).sum())


def test_holdout_noise_is_laplace_sigma():
    sigma = 0.01
    mech = Thresholdout(sigma=sigma, budget=30_000, rng=np.random.default_rng(3))
    h = np.linspace(0, 1, 20_000)
    xi = mech.query(h + 1.0, h) - h  # every query above threshold
    assert stats.kstest(xi, stats.laplace(scale=sigma).cdf).pvalue > DELTA
    # Power: the wrong scale (2 sigma) is rejected.
    assert stats.kstest(xi, stats.laplace(scale=2 * sigma).cdf).pvalue < DELTA


@pytest.mark.parametrize("excess", [0.0, 0.04, 0.08])
def test_threshold_noise_is_lap_2s_plus_lap_4s(excess):
    # A fresh mechanism's first query passes iff gap <= T + gamma + eta with
    # gamma ~ Lap(2 sigma), eta ~ Lap(4 sigma).
    sigma, threshold, n = 0.01, 0.04, 20_000
    rng = np.random.default_rng(int(100 * excess))
    gap = threshold + excess
    passes = sum(
        Thresholdout(threshold=threshold, sigma=sigma, budget=1, rng=rng).query(
            0.5, 0.5 + gap
        )
        == 0.5
        for _ in range(n)
    )
    p = _sum_laplace_tail(excess, 2 * sigma, 4 * sigma)  # 0.5, 0.223, 0.074
    lo, hi = stats.binom.ppf(DELTA / 2, n, p), stats.binom.isf(DELTA / 2, n, p)
    assert lo <= passes <= hi


def test_scalar_and_errors():
    rng = np.random.default_rng(4)
    mech = Thresholdout(budget=3, rng=rng)
    assert isinstance(mech.query(0.5, 0.5), float)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        Thresholdout(budget=3, rng=None)
    with pytest.raises(ValueError, match="budget must be an integer >= 1; got 0"):
        Thresholdout(budget=0, rng=rng)
    with pytest.raises(ValueError, match="threshold must be a finite number > 0"):
        Thresholdout(threshold=-1, budget=3, rng=rng)
    with pytest.raises(ValueError, match="sigma must be a finite number > 0; got inf"):
        Thresholdout(sigma=float("inf"), budget=3, rng=rng)
    with pytest.raises(TypeError, match="sigma must be a real number; got str"):
        Thresholdout(sigma="0.01", budget=3, rng=rng)
    with pytest.raises(TypeError, match="budget must be an integer; got float"):
        Thresholdout(budget=3.0, rng=rng)
    with pytest.raises(TypeError, match="budget"):
        Thresholdout(rng=rng)  # the budget is required


# --------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------

N, D = 4000, 3000
TRIALS = 8


@pytest.fixture(scope="module")
def runs():
    return {
        mech: adaptive_overfitting_experiment(
            n=N, d=D, mechanism=mech, n_trials=TRIALS, rng=np.random.default_rng(7)
        )
        for mech in ("naive", "thresholdout")
    }


def test_experiment_shape(runs):
    for mech, df in runs.items():
        ks = np.unique(np.linspace(D // 200, D // 20, 10).round()).astype(int)
        assert len(df) == TRIALS * ks.size
        assert (df["mechanism"] == mech).all()
        np.testing.assert_array_equal(df["k"].to_numpy()[: ks.size], ks)
        assert (df["n_used"] <= df["k"]).all()
    np.testing.assert_array_equal(
        runs["naive"]["holdout"], runs["naive"]["holdout_actual"]
    )
    assert (runs["naive"]["budget_spent"] == 0).all()
    assert (runs["thresholdout"]["budget_spent"] > 0).all()


def test_fresh_accuracy_is_chance(runs):
    # The fresh set is independent of the classifier: at each k, the number
    # of correct fresh predictions over all trials is Binomial(TRIALS N, 1/2).
    # Two-sided, union over the 2 x 10 (mechanism, k) pairs: 1e-6.
    m = TRIALS * N
    lo = stats.binom.ppf(DELTA / 40, m, 0.5) / m
    hi = stats.binom.isf(DELTA / 40, m, 0.5) / m  # 0.5 +- 0.016
    for df in runs.values():
        fresh = df.groupby("k")["fresh"].mean()
        assert fresh.between(lo, hi).all(), fresh


def test_naive_holdout_overfits(runs):
    last = runs["naive"].groupby("k").mean(numeric_only=True).iloc[-1]
    # Expected about 0.63 (k = d / 20 = n / 20); a trial's holdout accuracy
    # has a binomial standard deviation 0.009, so 0.55 is far below.
    assert last["holdout"] > 0.55
    assert last["train"] > 0.55
    assert last["holdout"] - last["fresh"] > 0.05


def test_thresholdout_stays_within_tolerance_of_chance(runs):
    df = runs["thresholdout"]
    threshold, sigma = 4 / math.sqrt(N), 1 / (4 * math.sqrt(N))  # T = 16 sigma
    top = df[df["k"] >= sorted(df["k"].unique())[-3]]  # the 3 largest k
    # Preconditions: the classifier overfits the training set by at least
    # 2 T, so an honest mechanism must consult the holdout, and the holdout
    # itself leaked less than T / 2 (measured: at most 0.52).
    assert (top["train"] - top["holdout_actual"] >= 2 * threshold).all()
    assert (top["holdout_actual"] - 0.5 <= threshold / 2).all()
    # Then a report above 0.5 + T needs (a) the training value to pass,
    # gamma + eta >= gap - T >= T = 16 sigma (closed form: 0.0122), or (b)
    # xi > T / 2 = 8 sigma (0.5 e^-8 = 0.0002): p0 = 0.015 bounds both.
    p0 = _sum_laplace_tail(threshold, 2 * sigma, 4 * sigma) + 0.5 * math.exp(-8)
    assert p0 < 0.015
    # Trials above 0.5 + T at each of the 3 k: at most Binomial(TRIALS, p0);
    # union bound over the 3 k at 1e-6 (the limit is 4 of 8).
    limit = stats.binom.isf(DELTA / 3, TRIALS, 0.015)
    counts = (top["holdout"] > 0.5 + threshold).groupby(top["k"]).sum()
    assert (counts <= limit).all(), counts
    # Power: the naive holdout is above 0.5 + T in (nearly) every trial.
    naive = runs["naive"]
    naive_top = naive[naive["k"] >= sorted(naive["k"].unique())[-3]]
    naive_counts = (
        (naive_top["holdout"] > 0.5 + threshold).groupby(naive_top["k"]).sum()
    )
    assert (naive_counts > limit).all(), naive_counts
    # On average Thresholdout reports close to chance, the naive holdout not.
    assert abs(top["holdout"].mean() - 0.5) < threshold / 2
    assert naive_top["holdout"].mean() - 0.5 > threshold


def test_experiment_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(
        ValueError, match="mechanism must be 'naive' or 'thresholdout'; got 'reusable'"
    ):
        adaptive_overfitting_experiment(mechanism="reusable", rng=rng)
    with pytest.raises(TypeError, match="mechanism must be 'naive' or 'thresholdout'"):
        adaptive_overfitting_experiment(mechanism=None, rng=rng)
    with pytest.raises(
        ValueError,
        match=r"ks must be an increasing sequence of integers in \[1, d=100\]",
    ):
        adaptive_overfitting_experiment(n=100, d=100, ks=[5, 3], rng=rng)
    with pytest.raises(ValueError, match="ks must be"):
        adaptive_overfitting_experiment(n=100, d=100, ks=[0.5], rng=rng)
    with pytest.raises(ValueError, match="ks must be"):
        adaptive_overfitting_experiment(n=100, d=100, ks=[200], rng=rng)
    with pytest.raises(ValueError, match="n must be an integer >= 10; got 5"):
        adaptive_overfitting_experiment(n=5, rng=rng)
    with pytest.raises(ValueError, match="sigma must be a finite number > 0; got 0"):
        adaptive_overfitting_experiment(n=100, d=100, sigma=0, rng=rng)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        adaptive_overfitting_experiment(rng=np.random.RandomState(0))


def test_tiny_experiment_with_no_surviving_feature():
    df = adaptive_overfitting_experiment(
        n=20,
        d=1,
        ks=[1],
        mechanism="thresholdout",
        budget=2,
        rng=np.random.default_rng(5),
    )
    assert len(df) == 1 and df["fresh"].between(0, 1).all()
