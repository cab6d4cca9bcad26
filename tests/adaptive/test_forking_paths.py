"""Tests for course_lib.adaptive._forking_paths.

Statistical assertions fail by chance with probability at most 1e-6 each
(seeds are fixed, so they are also deterministic).
"""

import itertools

import numpy as np
import pytest
from scipy import stats

from course_lib.adaptive import count_forks, p_hacking_simulation
from course_lib.adaptive._forking_paths import _group_pvalues

DELTA = 1e-6
ALPHA = 0.05


def test_count_forks():
    assert count_forks() == 1
    assert count_forks(n_outcomes=3) == 3
    assert count_forks(n_subgroups=2) == 3  # whole sample, subgroup 0, 1
    assert count_forks(n_covariates=2) == 4  # {}, {0}, {1}, {0, 1}
    assert count_forks(n_outcomes=2, n_looks=3, n_subgroups=3, n_covariates=1) == 48


def test_group_pvalues_is_students_t_test():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((50, 2, 30))
    group = np.repeat([0, 1], 15)
    weight = np.ones((50, 30))
    p = _group_pvalues(y, group, np.empty((50, 0, 30)), weight)
    expected = stats.ttest_ind(y[..., 15:], y[..., :15], axis=-1).pvalue
    np.testing.assert_allclose(p, expected, rtol=1e-9)
    # A 0/1 weight is the t-test on the selected subjects.
    keep = rng.random(30) < 0.7
    p = _group_pvalues(y, group, np.empty((50, 0, 30)), np.tile(keep, (50, 1)) * 1.0)
    sub = y[..., keep]
    g = group[keep]
    expected = stats.ttest_ind(sub[..., g == 1], sub[..., g == 0], axis=-1).pvalue
    np.testing.assert_allclose(p, expected, rtol=1e-9)


def test_group_pvalues_with_covariates_matches_lstsq():
    rng = np.random.default_rng(2)
    n = 25
    y = rng.standard_normal((3, 1, n))
    cov = rng.standard_normal((3, 2, n))
    group = (np.arange(n) % 2).astype(int)
    p = _group_pvalues(y, group, cov, np.ones((3, n)))
    for s in range(3):
        x = np.column_stack([np.ones(n), group, cov[s].T])
        beta, rss, *_ = np.linalg.lstsq(x, y[s, 0], rcond=None)
        sigma2 = rss[0] / (n - 4)
        se = np.sqrt(sigma2 * np.linalg.inv(x.T @ x)[1, 1])
        expected = 2 * stats.t.sf(abs(beta[1] / se), n - 4)
        assert p[s, 0] == pytest.approx(expected, rel=1e-9)


def test_group_pvalues_nan_when_a_group_is_empty():
    y = np.random.default_rng(3).standard_normal((2, 1, 10))
    group = np.repeat([0, 1], 5)
    weight = np.ones((2, 10))
    weight[0, 5:] = 0  # study 0: nobody treated
    p = _group_pvalues(y, group, np.empty((2, 0, 10)), weight)
    assert np.isnan(p[0, 0]) and 0 <= p[1, 0] <= 1


def _interval(n, p, delta=DELTA):
    return stats.binom.ppf(delta / 2, n, p), stats.binom.isf(delta / 2, n, p)


def test_one_fork_has_nominal_false_positive_rate():
    n = 20_000
    df = p_hacking_simulation(n_studies=n, n_per_group=15, rng=np.random.default_rng(4))
    assert (df["n_forks"] == 1).all()
    np.testing.assert_array_equal(df["p_min"], df["p_preregistered"])
    hits = int((df["p_min"] < ALPHA).sum())
    lo, hi = _interval(n, ALPHA)  # about 0.0425 to 0.0577
    assert lo <= hits <= hi
    # The pre-registered analysis keeps its level whatever the forks.
    df = p_hacking_simulation(
        n_studies=n,
        n_per_group=15,
        n_outcomes=2,
        n_looks=2,
        n_subgroups=2,
        n_covariates=1,
        rng=np.random.default_rng(5),
    )
    assert lo <= int((df["p_preregistered"] < ALPHA).sum()) <= hi
    # Under the null a p-value is uniform: a KS test at 1e-6.
    assert stats.kstest(df["p_preregistered"], "uniform").pvalue > DELTA


def test_false_positive_rate_grows_with_forks():
    n = 4000
    settings = [
        {},
        {"n_outcomes": 2, "n_looks": 2},
        {"n_outcomes": 2, "n_looks": 2, "n_subgroups": 2},
        {"n_outcomes": 2, "n_looks": 2, "n_subgroups": 2, "n_covariates": 2},
    ]
    rates = []
    for i, kw in enumerate(settings):
        df = p_hacking_simulation(
            n_studies=n, n_per_group=20, rng=np.random.default_rng(10 + i), **kw
        )
        assert df["n_forks"].iloc[0] == count_forks(**kw)
        assert (df["p_min"] <= df["p_preregistered"]).all()
        assert df["p_min"].between(0, 1).all()
        rates.append(int((df["p_min"] < ALPHA).sum()))
    # 1, 4, 12 and 48 forks: each rate is significantly larger than the
    # previous one (measured 0.05, 0.14, 0.29, 0.48): the lower Clopper-Pearson
    # bound of the larger beats the upper bound of the smaller (each one-sided
    # at 1e-6 / 6).
    delta = DELTA / 6
    for small, large in itertools.pairwise(rates):
        upper = stats.beta.isf(delta, small + 1, n - small)
        lower = stats.beta.ppf(delta, large, n - large + 1)
        assert lower > upper, (rates, small, large)
    # 48 forks: far from 5% (measured about 0.48).
    assert rates[-1] / n > 0.3


def test_best_fork_names_the_minimum():
    df = p_hacking_simulation(
        n_studies=200,
        n_per_group=10,
        n_outcomes=2,
        n_subgroups=2,
        rng=np.random.default_rng(6),
    )
    assert df["best_fork"].str.startswith("outcome ").all()
    first = df["p_min"] == df["p_preregistered"]
    assert (
        df.loc[first, "best_fork"] == "outcome 0, n=10/group, all, covariates []"
    ).mean() > 0.9


def test_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        p_hacking_simulation(n_studies=10, n_per_group=5, rng=0)
    with pytest.raises(ValueError, match="n_per_group must be an integer >= 2; got 1"):
        p_hacking_simulation(n_studies=10, n_per_group=1, rng=rng)
    with pytest.raises(ValueError, match="n_studies must be an integer >= 1"):
        p_hacking_simulation(n_studies=0, n_per_group=5, rng=rng)
    with pytest.raises(
        ValueError, match=r"outcome_correlation must be .*\[0, 1\); got 1"
    ):
        p_hacking_simulation(
            n_studies=10, n_per_group=5, outcome_correlation=1, rng=rng
        )
    with pytest.raises(
        ValueError, match=r"n_covariates must be an integer in \[0, 6\]"
    ):
        p_hacking_simulation(n_studies=10, n_per_group=5, n_covariates=7, rng=rng)
    with pytest.raises(ValueError, match="covariate_effect must be"):
        p_hacking_simulation(n_studies=10, n_per_group=5, covariate_effect=-1, rng=rng)
    with pytest.raises(ValueError, match="n_looks must be an integer >= 1; got 0"):
        count_forks(n_looks=0)
    with pytest.raises(TypeError, match="n_looks must be an integer; got bool"):
        count_forks(n_looks=True)
    with pytest.raises(TypeError, match="outcome_correlation must be a real number"):
        p_hacking_simulation(
            n_studies=10, n_per_group=5, outcome_correlation="0.5", rng=rng
        )
