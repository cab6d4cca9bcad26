"""Tests for course_lib.pipeline's delayed impact (Liu et al. 2018 on FICO).

Deterministic tests reproduce the pipeline chapter design's section 1.5 on the
vendored FICO data (Black and White, c+ = 75, c- = 150), with the policies
solved exactly: where the design's 2,001-point grid differs (demographic
parity at -4: -17.09 on the grid, -17.14 exactly) the exact value is used.

Statistical assertions (on simulated borrowers) are calibrated to fail by
chance with probability at most ALPHA = 1e-6 each, as in
tests/privacy/test_mechanisms.py; seeds are fixed, so they are also
deterministic. Each states its power against plausible wrong implementations.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from course_lib.pipeline import (
    FICO_PERCENTILE_BANDS,
    LendingPopulation,
    acceptance_from_rate,
    expected_score_change,
    fico_population,
    harm_threshold,
    impact_regime,
    lending_policies,
    outcome_curve,
    outcome_peak,
    simulate_score_changes,
    transrisk_to_fico,
    utility_curve,
)

ALPHA = 1e-6
N_SIM = 200_000


@pytest.fixture(scope="module")
def pop():
    return fico_population()


@pytest.fixture(scope="module")
def black(pop):
    pmf = pop.pmf["Black"].to_numpy()
    repay = pop.repay["Black"].to_numpy()
    return pmf, repay, expected_score_change(pop.scores, repay)


@pytest.fixture(scope="module")
def policies(pop):
    return {r: lending_policies(pop, utility_ratio=r) for r in (-4, -10)}


def _random_pmf(rng, n, zeros=0):
    p = rng.dirichlet(np.ones(n))
    if zeros:
        p[rng.choice(n, zeros, replace=False)] = 0
        p /= p.sum()
    return p


# ------------------------------------------------------------------ scores


def test_transrisk_to_fico_fixed_points():
    got = transrisk_to_fico([0, 2.1, 50, 100])
    np.testing.assert_allclose(got, [300, 350, 658.3333333, 850], atol=1e-6)
    grid = np.linspace(0, 100, 1001)
    assert np.all(np.diff(transrisk_to_fico(grid)) > 0)
    assert sum(p for _, p in FICO_PERCENTILE_BANDS) == pytest.approx(100)
    # Each band's cumulative share maps to its lower edge.
    cumulative = np.cumsum([0] + [p for _, p in FICO_PERCENTILE_BANDS[:-1]])
    edges = [edge for edge, _ in FICO_PERCENTILE_BANDS]
    np.testing.assert_allclose(transrisk_to_fico(cumulative), edges)


@pytest.mark.parametrize("bad", [-0.1, 100.5, np.nan])
def test_transrisk_outside_range_raises(bad):
    with pytest.raises(
        ValueError, match=r"scores must be TransRisk scores in \[0, 100\]; got"
    ):
        transrisk_to_fico([50, bad])


def test_fico_population(pop):
    assert pop.groups == ["Black", "White"]
    assert len(pop.scores) == 198 and pop.pmf.shape == (198, 2)
    np.testing.assert_allclose(pop.pmf.sum(), 1, atol=1e-12)
    assert pop.weights.round(5).tolist() == [0.12067, 0.87933]
    assert pop.weights["Black"] == pytest.approx(18274 / (18274 + 133165))
    assert pop.pmf.index.name == "transrisk"
    np.testing.assert_array_equal(
        pop.scores, transrisk_to_fico(pop.pmf.index.to_numpy())
    )
    assert pop.repay.loc[0.0, "White"] == pytest.approx(1 - 0.9854)
    four = fico_population(groups=("Asian", "Hispanic", "Black", "White"))
    assert four.groups == ["Asian", "Hispanic", "Black", "White"]
    assert four.weights.sum() == pytest.approx(1)


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (("Black", "Martian"), "groups must be among .*; got 'Martian'"),
        ((), "groups must be a non-empty sequence"),
        (("Black", "Black"), "groups must be a non-empty sequence of distinct"),
        ("Black", "groups must be a non-empty sequence"),
    ],
)
def test_fico_population_groups_checked(groups, message):
    with pytest.raises(ValueError, match=message):
        fico_population(groups=groups)


def test_lending_population_is_validated():
    good = {
        "scores": np.array([500.0, 700.0]),
        "pmf": pd.DataFrame({"A": [0.5, 0.5]}),
        "repay": pd.DataFrame({"A": [0.5, 0.9]}),
        "weights": pd.Series({"A": 1.0}),
    }
    LendingPopulation(**good)
    cases = [
        ({"scores": np.array([700.0, 500.0])}, "scores must be strictly increasing"),
        ({"pmf": pd.DataFrame({"A": [0.5, 0.6]})}, r"pmf\['A'\] must sum to 1"),
        (
            {"repay": pd.DataFrame({"A": [0.5, 1.2]})},
            r"repay\['A'\] must be probabilities",
        ),
        ({"repay": pd.DataFrame({"B": [0.5, 0.9]})}, "repay must have the same index"),
        (
            {"weights": pd.Series({"A": 0.5})},
            "weights must be non-negative and sum to 1",
        ),
        ({"weights": pd.Series({"B": 1.0})}, "weights must be indexed by the groups"),
    ]
    for change, message in cases:
        with pytest.raises(ValueError, match=message):
            LendingPopulation(**(good | change))


# --------------------------------------------------------- expected change


def test_expected_change_away_from_the_bounds():
    rho = np.linspace(0, 1, 11)
    s = np.full(11, 600.0)
    want = 75 * rho - 150 * (1 - rho)
    for clip in ("expected", "outcome"):
        np.testing.assert_allclose(
            expected_score_change(s, rho, clip=clip), want, atol=1e-12
        )
    # Zero exactly at the break-even repayment probability loss/(gain+loss).
    assert expected_score_change([600.0], [150 / 225])[0] == pytest.approx(0, abs=1e-12)
    got = expected_score_change([600.0], [0.5], gain=50, loss=50)
    assert got[0] == pytest.approx(0, abs=1e-12)


def test_expected_change_near_the_bounds_by_hand():
    # 840 + 0.99*75 - 0.01*150 = 912.75 -> 850: +10; per outcome: 0.99*10 - 0.01*150.
    assert expected_score_change([840.0], [0.99])[0] == pytest.approx(10.0)
    assert expected_score_change([840.0], [0.99], clip="outcome")[0] == pytest.approx(
        8.4
    )
    # At the floor: 310 - 150 -> 300.
    assert expected_score_change([310.0], [0.0])[0] == pytest.approx(-10.0)
    assert expected_score_change([310.0], [0.5], clip="outcome")[0] == pytest.approx(
        0.5 * 75 - 0.5 * 10
    )
    # Expected new score 310 + 37.5 - 75 = 272.5 -> 300.
    assert expected_score_change([310.0], [0.5])[0] == pytest.approx(-10.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"repay": [1.2]},
            ValueError,
            r"repay must be probabilities in \[0, 1\]; got 1.2",
        ),
        (
            {"gain": -1},
            ValueError,
            r"gain must be a finite number >= 0; got -1",
        ),
        ({"loss": "150"}, TypeError, "loss must be a real number; got str"),
        ({"bounds": (850, 300)}, ValueError, r"bounds must be increasing"),
        (
            {"scores": [900.0]},
            ValueError,
            r"scores must be within bounds \[300, 850\]; got 900",
        ),
        (
            {"clip": "both"},
            ValueError,
            "clip must be 'expected' or 'outcome'; got 'both'",
        ),
        (
            {"repay": [0.5, 0.5]},
            ValueError,
            "repay must have one value per cell of scores",
        ),
    ],
)
def test_expected_change_arguments(kwargs, error, message):
    args = {"scores": [600.0], "repay": [0.5]} | kwargs
    scores, repay = args.pop("scores"), args.pop("repay")
    with pytest.raises(error, match=message):
        expected_score_change(scores, repay, **args)


# -------------------------------------------------------------- acceptance


def test_acceptance_sums_to_the_rate():
    rng = np.random.default_rng(7)
    pmf = _random_pmf(rng, 50, zeros=5)
    for rate in rng.random(1000):
        tau = acceptance_from_rate(pmf, rate)
        assert abs(pmf @ tau - rate) < 1e-12
        assert tau.min() >= 0 and tau.max() <= 1
        # Threshold-shaped: non-decreasing in the score among cells with mass.
        assert np.all(np.diff(tau[pmf > 0]) >= 0)
        inside = np.flatnonzero((tau > 0) & (tau < 1) & (pmf > 0))
        assert len(inside) <= 1


def test_acceptance_by_hand():
    pmf = [0.2, 0.0, 0.5, 0.3]
    np.testing.assert_allclose(acceptance_from_rate(pmf, 0.55), [0, 0, 0.5, 1])
    np.testing.assert_allclose(acceptance_from_rate(pmf, 0.0), [0, 0, 0, 0])
    np.testing.assert_allclose(acceptance_from_rate(pmf, 1.0), [1, 1, 1, 1])
    # The empty cell lies above the boundary at 0.9, below it at 0.8.
    np.testing.assert_allclose(acceptance_from_rate(pmf, 0.9), [0.5, 1, 1, 1])
    np.testing.assert_allclose(acceptance_from_rate(pmf, 0.8), [0, 0, 1, 1])


@pytest.mark.parametrize(
    ("pmf", "rate", "error", "message"),
    [
        (
            [0.5, 0.5],
            1.5,
            ValueError,
            r"rate must be a finite number in \[0, 1\]; got 1.5",
        ),
        ([0.5, 0.5], "x", TypeError, "rate must be a real number; got str"),
        ([0.5, 0.6], 0.5, ValueError, "pmf must sum to 1; got 1.1"),
        ([1.5, -0.5], 0.5, ValueError, "pmf must be non-negative"),
    ],
)
def test_acceptance_arguments(pmf, rate, error, message):
    with pytest.raises(error, match=message):
        acceptance_from_rate(pmf, rate)


# ------------------------------------------------------------ outcome curve


def test_outcome_curve_definition_and_interpolation():
    rng = np.random.default_rng(11)
    pmf = _random_pmf(rng, 80, zeros=8)
    delta = rng.normal(0, 50, 80)
    rates = np.concatenate([[0, 1], rng.random(300)])
    curve = outcome_curve(pmf, delta, rates)
    direct = [pmf @ (acceptance_from_rate(pmf, r) * delta) for r in rates]
    np.testing.assert_allclose(curve, direct, atol=1e-12)
    assert curve[0] == 0 and curve[1] == pytest.approx(pmf @ delta, abs=1e-12)
    top = np.concatenate([[0], np.cumsum(pmf[::-1])])
    total = np.concatenate([[0], np.cumsum((pmf * delta)[::-1])])
    np.testing.assert_allclose(curve, np.interp(rates, top, total), atol=1e-12)
    assert isinstance(outcome_curve(pmf, delta, 0.5), float)
    assert outcome_curve(pmf, delta, [[0.1, 0.2]]).shape == (1, 2)


def test_outcome_curve_fico_black(black):
    pmf, repay, delta = black
    beta, peak = outcome_peak(pmf, delta)
    assert beta == pytest.approx(0.2384, abs=1e-9)
    # Repayment is (nearly) monotone, so the peak is the share with a positive change...
    assert beta == pytest.approx(pmf[delta > 0].sum(), abs=1e-12)
    # ... which is the share with repayment probability at least 2/3.
    assert beta == pytest.approx(pmf[repay >= 2 / 3].sum(), abs=1e-12)
    assert peak == pytest.approx(9.48, abs=5e-3)
    grid = np.linspace(0, 1, 10_001)
    curve = outcome_curve(pmf, delta, grid)
    assert curve.max() <= peak + 1e-12
    assert outcome_curve(pmf, delta, 1.0) == pytest.approx(-55.03, abs=5e-3)
    beta0 = harm_threshold(pmf, delta)
    assert beta0 == pytest.approx(0.4312, abs=5e-5)
    assert outcome_curve(pmf, delta, beta0) == pytest.approx(0, abs=1e-9)
    after = grid[(grid > beta) & (curve < 0)]
    assert after[0] - 1e-4 <= beta0 <= after[0]
    assert transrisk_to_fico(22.5) == pytest.approx(527, abs=1)


def test_outcome_curve_fico_white(pop):
    pmf, repay = pop.pmf["White"].to_numpy(), pop.repay["White"].to_numpy()
    delta = expected_score_change(pop.scores, repay)
    beta, peak = outcome_peak(pmf, delta)
    assert (round(beta, 4), round(peak, 1)) == (0.7378, 39.8)
    assert math.isnan(harm_threshold(pmf, delta))
    assert outcome_curve(pmf, delta, 1.0) == pytest.approx(20.9, abs=0.05)


def test_clipping_each_outcome_changes_little(black, pop):
    pmf, repay, _ = black
    delta = expected_score_change(pop.scores, repay, clip="outcome")
    beta, peak = outcome_peak(pmf, delta)
    assert beta == pytest.approx(0.2384, abs=1e-9)
    assert peak == pytest.approx(9.34, abs=5e-3)
    assert harm_threshold(pmf, delta) == pytest.approx(0.4298, abs=5e-5)
    assert outcome_curve(pmf, delta, 0.3) == pytest.approx(8.364, abs=5e-4)


def test_peak_and_harm_by_hand():
    assert outcome_peak([0.25, 0.25, 0.5], [-10.0, 5.0, 20.0]) == (0.75, 11.25)
    assert harm_threshold([0.5, 0.5], [-30.0, 10.0]) == pytest.approx(2 / 3)
    assert math.isnan(harm_threshold([0.5, 0.5], [-5.0, 10.0]))
    # A curve that starts negative: the peak is at rate 0, harm starts at once.
    assert outcome_peak([0.5, 0.5], [-5.0, -1.0]) == (0.0, 0.0)
    assert harm_threshold([0.5, 0.5], [-5.0, -1.0]) == 0.0
    # Cells run from low to high score: lending starts with the top cell.
    assert outcome_peak([0.5, 0.5], [10.0, -1.0]) == (1.0, 4.5)


def test_utility_curve(black):
    pmf, repay, _ = black
    rates = np.array([0.0, 0.1, 0.5, 1.0])
    got = utility_curve(pmf, repay, rates, utility_ratio=-4)
    want = [
        pmf @ (acceptance_from_rate(pmf, r) * (repay - 4 * (1 - repay))) for r in rates
    ]
    np.testing.assert_allclose(got, want, atol=1e-12)
    with pytest.raises(
        ValueError, match=r"utility_ratio must be a finite number < 0; got 0"
    ):
        utility_curve(pmf, repay, rates, utility_ratio=0)
    with pytest.raises(
        ValueError, match=r"rates must be selection rates in \[0, 1\]; got 1.5"
    ):
        utility_curve(pmf, repay, [0.5, 1.5])


# ---------------------------------------------------------------- policies

# (selection B, selection W, delta_mu B, delta_mu W, regime B), exact solution.
TABLE = {
    (-4, "MaxUtil"): (0.168, 0.663, 8.40, 38.67, "improvement"),
    (-4, "DemParity"): (0.577, 0.577, -17.14, 35.04, "active harm"),
    (-4, "EqOpt"): (0.356, 0.625, 6.01, 37.24, "relative harm"),
    (-10, "MaxUtil"): (0.077, 0.558, 4.40, 34.00, "improvement"),
    (-10, "DemParity"): (0.3415, 0.3415, 6.83, 20.28, "relative improvement"),
    (-10, "EqOpt"): (0.258, 0.499, 9.37, 30.57, "relative improvement"),
}
# Lowest cell lent to, Black: (TransRisk, FICO scale).
THRESHOLDS = {
    (-4, "MaxUtil"): (46.5, 645),
    (-4, "DemParity"): (15.5, 479),
    (-4, "EqOpt"): (27.5, 557),
    (-10, "MaxUtil"): (67.0, 716),
    (-10, "DemParity"): (28.5, 562),
    (-10, "EqOpt"): (36.0, 601),
}


@pytest.mark.parametrize("key", sorted(TABLE))
def test_policy_table(policies, key):
    ratio, policy = key
    table = policies[ratio].loc[policy]
    sel_b, sel_w, dmu_b, dmu_w, regime = TABLE[key]
    assert table.loc["Black", "selection_rate"] == pytest.approx(sel_b, abs=5e-4)
    assert table.loc["White", "selection_rate"] == pytest.approx(sel_w, abs=5e-4)
    assert table.loc["Black", "delta_mu"] == pytest.approx(dmu_b, abs=5e-3)
    assert table.loc["White", "delta_mu"] == pytest.approx(dmu_w, abs=5e-3)
    assert table.loc["Black", "regime"] == regime
    cell, fico = THRESHOLDS[key]
    assert table.loc["Black", "threshold_cell"] == cell
    assert table.loc["Black", "threshold"] == pytest.approx(fico, abs=0.5)


def test_policy_table_layout(policies):
    table = policies[-4]
    assert list(table.index.names) == ["policy", "group"]
    assert list(table.index.get_level_values(0).unique()) == [
        "MaxUtil",
        "DemParity",
        "EqOpt",
    ]
    assert list(table.columns) == [
        "selection_rate",
        "tpr",
        "threshold",
        "threshold_cell",
        "boundary_fraction",
        "delta_mu",
        "utility",
        "regime",
    ]
    assert table["boundary_fraction"].between(0, 1, inclusive="right").all()


def test_the_exact_demographic_parity_rate(policies):
    """Homework 13 part C's reference values (break-even 0.8 and 10/11)."""
    assert policies[-4].loc[("DemParity", "Black"), "selection_rate"] == pytest.approx(
        0.57740, abs=5e-6
    )
    assert policies[-10].loc[("DemParity", "Black"), "selection_rate"] == pytest.approx(
        0.34150, abs=5e-6
    )


def _weighted(pop, column, table, policy):
    return sum(pop.weights[g] * table.loc[(policy, g), column] for g in pop.groups)


@pytest.mark.parametrize("ratio", [-4, -10])
def test_constrained_policies_are_optimal_on_a_grid(pop, policies, ratio):
    table = policies[ratio]
    grid = np.linspace(0, 1, 10_001)
    utility = {
        g: lambda b, g=g: utility_curve(
            pop.pmf[g], pop.repay[g], b, utility_ratio=ratio
        )
        for g in pop.groups
    }
    # Demographic parity: one rate for all.
    rates = table.loc["DemParity", "selection_rate"]
    assert rates.max() - rates.min() < 1e-12
    dp_grid = sum(pop.weights[g] * utility[g](grid) for g in pop.groups)
    assert _weighted(pop, "utility", table, "DemParity") >= dp_grid.max() - 1e-9
    # Equal opportunity: one TPR for all; invert each group's TPR(β) on its knots.
    tprs = table.loc["EqOpt", "tpr"]
    assert tprs.max() - tprs.min() < 1e-9
    eo_grid = 0
    for g in pop.groups:
        pmf, repay = pop.pmf[g].to_numpy(), pop.repay[g].to_numpy()
        mass = np.concatenate([[0], np.cumsum(pmf[::-1])])
        tpr = np.concatenate([[0], np.cumsum((pmf * repay)[::-1])]) / (pmf @ repay)
        eo_grid = eo_grid + pop.weights[g] * utility[g](
            np.clip(np.interp(grid, tpr, mass), 0, 1)
        )
    assert _weighted(pop, "utility", table, "EqOpt") >= eo_grid.max() - 1e-9
    # And both are worse for the bank than the unconstrained policy.
    best = _weighted(pop, "utility", table, "MaxUtil")
    assert (
        best
        >= _weighted(pop, "utility", table, "EqOpt")
        >= _weighted(pop, "utility", table, "DemParity")
    )


def test_max_util_ignores_the_weights(pop, policies):
    other = LendingPopulation(
        scores=pop.scores,
        pmf=pop.pmf,
        repay=pop.repay,
        weights=pd.Series([0.5, 0.5], index=pop.weights.index),
    )
    table = lending_policies(other, utility_ratio=-4)
    pd.testing.assert_frame_equal(table.loc["MaxUtil"], policies[-4].loc["MaxUtil"])
    assert not np.isclose(
        table.loc[("DemParity", "Black"), "selection_rate"],
        policies[-4].loc[("DemParity", "Black"), "selection_rate"],
    )


def test_max_util_lends_at_break_even(pop, policies):
    for ratio, break_even in ((-4, 0.8), (-10, 10 / 11)):
        table = policies[ratio]
        for g in pop.groups:
            pmf, repay = pop.pmf[g].to_numpy(), pop.repay[g].to_numpy()
            assert table.loc[("MaxUtil", g), "selection_rate"] == pytest.approx(
                pmf[repay >= break_even].sum()
            )


def test_hardt_break_even_and_outcome_clip(pop):
    table = lending_policies(pop, utility_ratio=-0.82 / 0.18)
    assert table.loc[("DemParity", "Black"), "selection_rate"] == pytest.approx(
        0.553, abs=5e-4
    )
    assert table.loc[("DemParity", "Black"), "delta_mu"] == pytest.approx(
        -14.12, abs=5e-3
    )
    for ratio in (-4, -10):
        outcome = lending_policies(pop, utility_ratio=ratio, clip="outcome")
        exact = lending_policies(pop, utility_ratio=ratio)
        assert outcome["regime"].tolist() == exact["regime"].tolist()
        assert outcome["selection_rate"].tolist() == exact["selection_rate"].tolist()


def test_policies_on_a_hand_population():
    """Two groups, two cells each: every number by hand."""
    pop = LendingPopulation(
        scores=np.array([500.0, 700.0]),
        pmf=pd.DataFrame({"A": [0.5, 0.5], "B": [0.5, 0.5]}),
        repay=pd.DataFrame({"A": [0.5, 0.9], "B": [0.85, 0.95]}),
        weights=pd.Series({"A": 0.5, "B": 0.5}),
    )
    table = lending_policies(pop, utility_ratio=-4)  # break-even 0.8
    # MaxUtil: A lends to its top cell only, B to both.
    assert table.loc["MaxUtil", "selection_rate"].tolist() == [0.5, 1.0]
    # Profit of a loan, rho - 4(1 - rho): A -1.5 (low cell), 0.5 (high); B 0.25, 0.75.
    # Common rate 0.5: 0.5*(0.5*0.5) + 0.5*(0.5*0.75) = 0.3125; rate 1: 0. Best: 0.5.
    assert table.loc[("DemParity", "A"), "selection_rate"] == pytest.approx(0.5)
    assert table.loc[("DemParity", "A"), "utility"] == pytest.approx(0.25)
    # Δμ of A at rate 0.5: 0.5 * (0.9*75 - 0.1*150) = 26.25.
    assert table.loc[("DemParity", "A"), "delta_mu"] == pytest.approx(26.25)
    # B: MaxUtil lends to all, Δμ = 0.5*41.25 + 0.5*63.75 = 52.5; DemParity 31.875.
    assert table.loc[("MaxUtil", "B"), "delta_mu"] == pytest.approx(52.5)
    assert table.loc[("DemParity", "B"), "delta_mu"] == pytest.approx(31.875)
    assert table.loc[("DemParity", "B"), "regime"] == "relative harm"


@pytest.mark.parametrize(
    ("ratio", "error", "message"),
    [
        (0, ValueError, r"utility_ratio must be a finite number < 0; got 0"),
        (2.0, ValueError, "utility_ratio must be"),
        ("-4", TypeError, "utility_ratio must be a real number; got str"),
    ],
)
def test_utility_ratio_checked(pop, ratio, error, message):
    with pytest.raises(error, match=message):
        lending_policies(pop, utility_ratio=ratio)


def test_population_type_checked():
    with pytest.raises(TypeError, match="population must be a LendingPopulation"):
        lending_policies({"pmf": None})


# ---------------------------------------------------------------- regimes


def test_regimes():
    assert impact_regime(8.4) == "improvement"
    assert impact_regime(0.0) == "stagnation"
    assert impact_regime(-1e-12) == "stagnation"
    assert impact_regime(-17.1) == "active harm"
    assert impact_regime(-17.1, 8.4) == "active harm"
    assert impact_regime(6.0, 8.4) == "relative harm"
    assert impact_regime(0.0, 8.4) == "relative harm"
    assert impact_regime(6.8, 4.4) == "relative improvement"
    assert impact_regime(4.4, 4.4) == "no relative change"
    assert impact_regime(4.4 + 1e-10, 4.4) == "no relative change"
    assert impact_regime(4.5, 4.4, tol=0.2) == "no relative change"
    assert impact_regime(-0.1, 4.4, tol=0.2) == "relative harm"
    with pytest.raises(ValueError, match=r"tol must be a finite number >= 0; got -1"):
        impact_regime(1.0, tol=-1)
    with pytest.raises(TypeError, match="delta_mu must be a real number; got str"):
        impact_regime("1")


# ------------------------------------------------------- simulated borrowers


@pytest.fixture(scope="module")
def simulated(pop):
    """Black applicants, lending to the top 30% (the design's case)."""
    tau = acceptance_from_rate(pop.pmf["Black"], 0.3)
    return tau, simulate_score_changes(
        pop, "Black", tau, n=N_SIM, rng=np.random.default_rng(20261207)
    )


def test_mean_change_matches_the_outcome_curve(pop, black, simulated):
    """Hoeffding: changes lie in [-150, 75] (range 225), so with n = 200,000
    P(|mean - Δμ| >= t) <= 2 exp(-2 n t² / 225²) = ALPHA at t = 1.355.

    Power: the wrong implementations of the design give a mean of 27.9 (change
    per borrower, not per member), 26.8 (gain and loss swapped), -31.5 (default
    probability used as repayment), -20.2 (lending to the bottom 30%), -52.8
    (everyone's score moves), all at least 18 away from the right 8.364: each
    passes with probability at most exp(-2 n (18 - 1.355)² / 225²) < 1e-900.
    Forgetting the clip (9.000) is within t; it is caught deterministically
    by test_simulation_clips_each_outcome.
    """
    pmf, repay, _ = black
    delta = expected_score_change(pop.scores, repay, clip="outcome")
    target = outcome_curve(pmf, delta, 0.3)
    assert target == pytest.approx(8.364, abs=5e-4)
    t = 225 * math.sqrt(math.log(2 / ALPHA) / (2 * N_SIM))
    assert t == pytest.approx(1.355, abs=1e-3)
    _, sim = simulated
    assert sim["change"].between(-150, 75).all()
    assert abs(sim["change"].mean() - target) < t


def test_acceptance_share(pop, simulated):
    """The share accepted is Binomial(n, 0.3) given the design of the draws.

    Power: not randomising the boundary cell moves the share by up to that
    cell's mass; at the 1e-6 level the two-sided half-width at n = 200,000 is
    4.89 sqrt(0.3 * 0.7 / n) = 0.0050, and the test below with a rate in the
    middle of the largest Black cell between TransRisk 15 and 45 (mass 0.0376)
    is off by 0.0188 under that error: it passes with probability far below 1e-6.
    """
    _, sim = simulated
    k = int(sim["accepted"].sum())
    assert stats.binomtest(k, N_SIM, 0.3).pvalue > ALPHA
    pmf = pop.pmf["Black"]
    band = pmf[(pmf.index >= 15) & (pmf.index <= 45)]
    cell = band.idxmax()
    assert cell == 20.0 and band.max() == pytest.approx(0.0376, abs=5e-5)
    beta = pmf[pmf.index > cell].sum() + band.max() / 2
    tau = acceptance_from_rate(pmf, beta)
    assert tau[pmf.index == cell][0] == pytest.approx(0.5)
    sim2 = simulate_score_changes(
        pop, "Black", tau, n=N_SIM, rng=np.random.default_rng(5)
    )
    assert stats.binomtest(int(sim2["accepted"].sum()), N_SIM, beta).pvalue > ALPHA
    # The wrong answers (boundary cell all in or all out) would be rejected.
    half_width = stats.norm.isf(ALPHA / 2) * math.sqrt(beta * (1 - beta) / N_SIM)
    assert half_width < 0.0055 < band.max() / 2


def test_repayment_given_a_loan(pop, simulated):
    """Per decile of the borrowers' scores, the repaid count is a sum of
    independent Bernoulli(ρ_cell) draws; a binomial test at the mean ρ is
    conservative for such a sum (a Poisson-binomial has less variance). The
    ten tests are Bonferroni-combined: each at ALPHA / 10.

    Power: using the default probability as repayment, or one repayment
    probability for every borrower (0.83), moves the decile counts by tens of
    standard errors.
    """
    pmf, repay = pop.pmf["Black"].to_numpy(), pop.repay["Black"].to_numpy()
    tau = acceptance_from_rate(pmf, 0.6)
    sim = simulate_score_changes(
        pop, "Black", tau, n=N_SIM, rng=np.random.default_rng(9)
    )
    lent = sim[sim["accepted"]]
    assert lent["repaid"].isin([0.0, 1.0]).all()
    assert sim.loc[~sim["accepted"], "repaid"].isna().all()
    assert (sim.loc[~sim["accepted"], "change"] == 0).all()
    rho = pd.Series(repay, index=pop.scores)
    expected = rho.loc[lent["score"]].to_numpy()
    deciles = pd.qcut(lent["score"].rank(method="first"), 10, labels=False).to_numpy()
    for d in range(10):
        rows = deciles == d
        k = int(lent["repaid"].to_numpy()[rows].sum())
        p = float(expected[rows].mean())
        assert stats.binomtest(k, int(rows.sum()), p).pvalue > ALPHA / 10, d


def test_simulation_clips_each_outcome():
    """A population at 840: a repaid loan adds 10, not 75."""
    pop = LendingPopulation(
        scores=np.array([600.0, 840.0]),
        pmf=pd.DataFrame({"A": [0.0, 1.0]}),
        repay=pd.DataFrame({"A": [0.5, 0.99]}),
        weights=pd.Series({"A": 1.0}),
    )
    sim = simulate_score_changes(
        pop, "A", [1.0, 1.0], n=2000, rng=np.random.default_rng(0)
    )
    assert set(sim["change"]) <= {10.0, -150.0}
    assert (sim["score"] == 840).all()
    assert (sim["change"] == 10.0).mean() > 0.95


def test_simulation_is_reproducible_and_checked(pop):
    tau = acceptance_from_rate(pop.pmf["Black"], 0.3)
    one = simulate_score_changes(pop, "Black", tau, n=500, rng=np.random.default_rng(1))
    two = simulate_score_changes(pop, "Black", tau, n=500, rng=np.random.default_rng(1))
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns) == ["score", "accepted", "repaid", "change"]
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        simulate_score_changes(pop, "Black", tau, n=10, rng=0)
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        simulate_score_changes(pop, "Black", tau, n=0, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="n must be an integer; got float"):
        simulate_score_changes(pop, "Black", tau, n=10.0, rng=np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"group must be one of \['Black', 'White'\]; got 'Asian'"
    ):
        simulate_score_changes(pop, "Asian", tau, n=10, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="acceptance must have one value per cell"):
        simulate_score_changes(
            pop, "Black", tau[:-1], n=10, rng=np.random.default_rng(0)
        )
    with pytest.raises(
        ValueError, match=r"acceptance must be probabilities in \[0, 1\]"
    ):
        simulate_score_changes(
            pop, "Black", tau * 2, n=10, rng=np.random.default_rng(0)
        )
