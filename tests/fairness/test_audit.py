"""Tests for course_lib.fairness._audit (black-box audits with intervals).

Coverage is checked by simulation against the *exact* coverage of the
interval, computed by enumerating every outcome with its binomial
probability. The number of intervals that cover the truth in ``M``
independent simulations is then Binomial(M, exact coverage); each test
accepts the central region holding all but 1e-6 of that distribution, so a
correct implementation fails with probability at most 1e-6, while an
interval with the wrong width (e.g. a 90% interval reported as 95%) moves
the count far outside it (checked in the tests too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, norm

from course_lib.fairness import (
    audit_outputs,
    audit_sample_size,
    difference_ci,
    group_metrics,
    newcombe_interval,
)

from ..test_intervals import wilson_by_hand

FALSE_FAILURE = 1e-6


def acceptance_region(m: int, coverage: float) -> tuple[int, int]:
    """Counts of covering intervals out of m accepted at false-failure 1e-6."""
    lo = binom.ppf(FALSE_FAILURE / 2, m, coverage)
    hi = binom.isf(FALSE_FAILURE / 2, m, coverage)
    return int(lo), int(hi)


def groups_data(n_groups: int, size: int, rate: float, seed: int):
    """y_pred ~ Bernoulli(rate) in n_groups groups of `size` rows."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(n_groups), size)
    y_pred = (rng.random(n_groups * size) < rate).astype(int)
    y_true = rng.integers(0, 2, n_groups * size)
    return y_true, y_pred, group


# --------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------


def test_audit_outputs_wilson_matches_closed_form_per_group():
    y_true, y_pred, group = groups_data(5, 37, 0.3, seed=0)
    table = audit_outputs(y_true, y_pred, sensitive_features=group, confidence=0.9)
    gm = group_metrics(y_true, y_pred, sensitive_features=group)
    for metric, rows in [
        ("selection_rate", np.ones_like(y_true, bool)),
        ("tpr", y_true == 1),
        ("fpr", y_true == 0),
    ]:
        assert np.allclose(table[metric], gm[metric], atol=1e-12)
        n = np.bincount(group[rows], minlength=5)
        x = np.bincount(group[rows], weights=y_pred[rows], minlength=5)
        lo, hi = wilson_by_hand(x, n, 0.9)
        assert np.array_equal(table[f"{metric}_n"], n)
        assert np.allclose(table[f"{metric}_lower"], lo, atol=1e-12)
        assert np.allclose(table[f"{metric}_upper"], hi, atol=1e-12)
    assert table["count"].tolist() == [37] * 5
    assert table.index.tolist() == list(range(5))


def test_difference_ci_is_newcombes_interval():
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80, method 10 (the
    # closed form is checked in tests/test_intervals.py).
    d, lo, hi = newcombe_interval(56, 70, 48, 80)
    # The data-level function gives the same as the interval of the counts.
    y_pred = np.r_[np.ones(56), np.zeros(14), np.ones(48), np.zeros(32)].astype(int)
    group = np.r_[["a"] * 70, ["b"] * 80]
    est = difference_ci(
        np.zeros(150, int), y_pred, sensitive_features=group, group_a="a", group_b="b"
    )
    assert est == pytest.approx((d, lo, hi), abs=1e-12)
    swapped = difference_ci(
        np.zeros(150, int), y_pred, sensitive_features=group, group_a="b", group_b="a"
    )
    assert swapped == pytest.approx((-d, -hi, -lo), abs=1e-12)


def test_intervals_shrink_as_one_over_sqrt_n():
    widths = []
    sizes = [1_000, 4_000, 16_000, 64_000]
    for n in sizes:
        y_pred = (np.arange(n) < 0.3 * n).astype(int)
        table = audit_outputs(
            y_pred,
            y_pred,
            sensitive_features=np.zeros(n, int),
            metrics=["selection_rate"],
        )
        widths.append(
            float(
                table["selection_rate_upper"].iloc[0]
                - table["selection_rate_lower"].iloc[0]
            )
        )
    scaled = np.array(widths) * np.sqrt(sizes)
    # width * sqrt(n) -> 2 z sqrt(p q) = 2 * 1.96 * sqrt(0.21) = 1.7964
    assert np.allclose(scaled, 2 * norm.ppf(0.975) * np.sqrt(0.21), rtol=2e-3)
    assert np.allclose(np.array(widths[:-1]) / widths[1:], 2.0, rtol=2e-3)


# --------------------------------------------------------------------------
# Coverage by simulation
# --------------------------------------------------------------------------


def exact_wilson_coverage(n: int, p: float, confidence: float) -> float:
    x = np.arange(n + 1)
    lo, hi = wilson_by_hand(x, n, confidence)
    return float(binom.pmf(x, n, p) @ ((lo <= p) & (p <= hi)))


def test_wilson_coverage_by_simulation():
    m, size, rate = 4000, 40, 0.3
    y_true, y_pred, group = groups_data(m, size, rate, seed=1)
    table = audit_outputs(
        y_true, y_pred, sensitive_features=group, metrics=["selection_rate"]
    )
    covered = int(
        np.sum(
            (table["selection_rate_lower"] <= rate)
            & (rate <= table["selection_rate_upper"])
        )
    )
    exact = exact_wilson_coverage(size, rate, 0.95)
    assert 0.93 <= exact <= 0.97  # Wilson is close to nominal here
    lo, hi = acceptance_region(m, exact)
    assert lo <= covered <= hi
    # A 90% interval would be rejected: its exact coverage is far outside.
    assert not lo <= m * exact_wilson_coverage(size, rate, 0.90) <= hi


def test_newcombe_coverage_by_simulation():
    m, n1, n2, p1, p2 = 20_000, 30, 45, 0.4, 0.2
    rng = np.random.default_rng(2)
    x1 = rng.binomial(n1, p1, m)
    x2 = rng.binomial(n2, p2, m)
    _, lo, hi = newcombe_interval(x1, n1, x2, n2)
    covered = int(np.sum((lo <= p1 - p2) & (p1 - p2 <= hi)))
    # Exact coverage by enumerating all (x1, x2).
    g1, g2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    _, elo, ehi = newcombe_interval(g1, n1, g2, n2)
    prob = np.outer(
        binom.pmf(np.arange(n1 + 1), n1, p1), binom.pmf(np.arange(n2 + 1), n2, p2)
    )
    exact = float(np.sum(prob * ((elo <= p1 - p2) & (p1 - p2 <= ehi))))
    assert 0.93 <= exact <= 0.97
    low, high = acceptance_region(m, exact)
    assert low <= covered <= high


def test_bootstrap_coverage_by_simulation():
    # The percentile bootstrap has no exact coverage formula; at n = 100 and
    # p = 0.3 it behaves like the Wald interval (coverage about 0.94-0.95).
    # Assuming true coverage in [0.92, 0.97], a false failure has probability
    # below 1e-6.
    m, size, rate = 1000, 100, 0.3
    y_true, y_pred, group = groups_data(m, size, rate, seed=3)
    table = audit_outputs(
        y_true,
        y_pred,
        sensitive_features=group,
        metrics=["selection_rate"],
        method="bootstrap",
        n_bootstrap=500,
        random_state=0,
    )
    covered = int(
        np.sum(
            (table["selection_rate_lower"] <= rate)
            & (rate <= table["selection_rate_upper"])
        )
    )
    assert (
        binom.ppf(FALSE_FAILURE, m, 0.92)
        <= covered
        <= binom.isf(FALSE_FAILURE, m, 0.97)
    )


# --------------------------------------------------------------------------
# Bootstrap details
# --------------------------------------------------------------------------


def test_bootstrap_is_reproducible_and_close_to_wilson():
    y_true, y_pred, group = groups_data(3, 400, 0.3, seed=4)
    kwargs = dict(sensitive_features=group, method="bootstrap", n_bootstrap=2000)
    first = audit_outputs(y_true, y_pred, random_state=5, **kwargs)
    again = audit_outputs(y_true, y_pred, random_state=5, **kwargs)
    other = audit_outputs(y_true, y_pred, random_state=6, **kwargs)
    gen = audit_outputs(y_true, y_pred, random_state=np.random.default_rng(5), **kwargs)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first, gen)
    assert not first.equals(other)
    wilson = audit_outputs(y_true, y_pred, sensitive_features=group)
    cols = [c for c in first.columns if c.endswith(("_lower", "_upper"))]
    assert np.max(np.abs(first[cols].to_numpy() - wilson[cols].to_numpy())) < 0.02
    assert np.array_equal(first["fpr"], wilson["fpr"])  # same point estimates

    d1 = difference_ci(
        y_true,
        y_pred,
        sensitive_features=group,
        group_a=0,
        group_b=1,
        method="bootstrap",
        random_state=5,
    )
    d2 = difference_ci(
        y_true,
        y_pred,
        sensitive_features=group,
        group_a=0,
        group_b=1,
        method="bootstrap",
        random_state=5,
    )
    newc = difference_ci(y_true, y_pred, sensitive_features=group, group_a=0, group_b=1)
    assert d1 == d2
    assert d1.estimate == newc.estimate
    assert abs(d1.lower - newc.lower) < 0.02 and abs(d1.upper - newc.upper) < 0.02


def test_empty_denominators_give_nan():
    # Group "b" has no negatives: its FPR and interval are NaN, without warnings.
    y_true = np.array([0, 1, 0, 1, 1, 1])
    y_pred = np.array([1, 1, 0, 1, 0, 1])
    group = np.array(["a", "a", "a", "b", "b", "b"])
    for method in ("wilson", "bootstrap"):
        table = audit_outputs(
            y_true,
            y_pred,
            sensitive_features=group,
            method=method,
            n_bootstrap=50,
            random_state=0,
        )
        assert np.isnan(
            table.loc["b", ["fpr", "fpr_lower", "fpr_upper"]].astype(float)
        ).all()
        assert table.loc["b", "fpr_n"] == 0
    for method in ("newcombe", "bootstrap"):
        est = difference_ci(
            y_true,
            y_pred,
            sensitive_features=group,
            group_a="a",
            group_b="b",
            metric="fpr",
            method=method,
            n_bootstrap=50,
        )
        assert all(np.isnan(v) for v in est)


def test_intersectional_groups():
    rng = np.random.default_rng(7)
    sf = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], 500), "race": rng.choice(["x", "y"], 500)}
    )
    y_true = rng.integers(0, 2, 500)
    y_pred = rng.integers(0, 2, 500)
    table = audit_outputs(
        y_true, y_pred, sensitive_features=sf, metrics=["tpr", "accuracy"]
    )
    assert table.index.names == ["sex", "race"]
    gm = group_metrics(y_true, y_pred, sensitive_features=sf)
    assert np.allclose(table["accuracy"], gm["accuracy"])
    est = difference_ci(
        y_true,
        y_pred,
        sensitive_features=sf,
        group_a=("f", "x"),
        group_b=("m", "y"),
        metric="tpr",
    )
    assert est.estimate == pytest.approx(
        gm.loc[("f", "x"), "tpr"] - gm.loc[("m", "y"), "tpr"]
    )


# --------------------------------------------------------------------------
# Sample size
# --------------------------------------------------------------------------


def exact_power(n: int, p1: float, p2: float, confidence: float) -> float:
    """Power of the two-sided pooled z-test, by enumerating both counts."""
    x1, x2 = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    pooled = (x1 + x2) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    z = np.divide(np.abs(x1 - x2) / n, se, out=np.zeros(se.shape), where=se > 0)
    reject = z > norm.ppf(1 - (1 - confidence) / 2)
    prob = np.outer(
        binom.pmf(np.arange(n + 1), n, p1), binom.pmf(np.arange(n + 1), n, p2)
    )
    return float(np.sum(prob * reject))


@pytest.mark.parametrize(("gap", "base_rate"), [(0.1, None), (0.1, 0.1), (0.2, 0.3)])
def test_sample_size_gives_the_stated_power(gap, base_rate):
    n = audit_sample_size(gap, 0.95, 0.8, base_rate=base_rate)
    p1 = 0.5 - gap / 2 if base_rate is None else base_rate
    power = exact_power(n, p1, p1 + gap, 0.95)
    assert 0.78 <= power <= 0.84
    assert exact_power(n // 2, p1, p1 + gap, 0.95) < 0.6


def test_sample_size_formula_and_monotonicity():
    # Fleiss' formula for p1 = 0.45, p2 = 0.55, alpha = 0.05, power 0.8.
    z_a, z_b = norm.ppf(0.975), norm.ppf(0.8)
    expected = (z_a * np.sqrt(2 * 0.25) + z_b * np.sqrt(2 * 0.2475)) ** 2 / 0.01
    assert audit_sample_size(0.1) == int(np.ceil(expected))
    assert audit_sample_size(0.05) > 3.9 * audit_sample_size(0.1)
    assert audit_sample_size(0.1, power=0.9) > audit_sample_size(0.1)
    assert audit_sample_size(0.1, confidence=0.99) > audit_sample_size(0.1)
    # The default (rates around 0.5) is the worst case.
    assert all(
        audit_sample_size(0.1, base_rate=b) <= audit_sample_size(0.1)
        for b in np.linspace(0.05, 0.85, 17)
    )


# --------------------------------------------------------------------------
# Error paths
# --------------------------------------------------------------------------


def test_error_paths():
    y_true, y_pred, group = groups_data(2, 20, 0.5, seed=8)
    kw = dict(sensitive_features=group)
    with pytest.raises(ValueError, match=r"each metric must be .*; got 'recall'"):
        audit_outputs(y_true, y_pred, metrics=["recall"], **kw)
    with pytest.raises(ValueError, match="metrics must not repeat a name"):
        audit_outputs(y_true, y_pred, metrics=["tpr", "tpr"], **kw)
    with pytest.raises(ValueError, match="metrics must name at least one rate"):
        audit_outputs(y_true, y_pred, metrics=[], **kw)
    with pytest.raises(
        ValueError, match=r"confidence must be a finite number in \(0, 1\); got 95"
    ):
        audit_outputs(y_true, y_pred, confidence=95, **kw)
    with pytest.raises(TypeError, match="confidence must be a real number; got str"):
        audit_outputs(y_true, y_pred, confidence="0.95", **kw)
    with pytest.raises(
        ValueError, match="method must be 'wilson' or 'bootstrap'; got 'wald'"
    ):
        audit_outputs(y_true, y_pred, method="wald", **kw)
    with pytest.raises(ValueError, match="n_bootstrap must be an integer >= 1; got 0"):
        audit_outputs(y_true, y_pred, method="bootstrap", n_bootstrap=0, **kw)
    with pytest.raises(ValueError, match="y_true and y_pred must have the same length"):
        audit_outputs(y_true[:-1], y_pred, **kw)
    with pytest.raises(
        ValueError, match=r"group_b must be one of the observed groups \[0, 1\]; got 2"
    ):
        difference_ci(y_true, y_pred, group_a=0, group_b=2, **kw)
    with pytest.raises(ValueError, match="group_a and group_b must differ"):
        difference_ci(y_true, y_pred, group_a=0, group_b=0, **kw)
    with pytest.raises(ValueError, match="method must be 'newcombe' or 'bootstrap'"):
        difference_ci(y_true, y_pred, group_a=0, group_b=1, method="wilson", **kw)
    with pytest.raises(ValueError, match="metric must be"):
        difference_ci(y_true, y_pred, group_a=0, group_b=1, metric="f1", **kw)
    with pytest.raises(
        ValueError, match=r"gap must be a finite number in \(0, 1\); got 0"
    ):
        audit_sample_size(0)
    with pytest.raises(ValueError, match=r"power must be a finite number in \(0, 1\)"):
        audit_sample_size(0.1, power=1.0)
    with pytest.raises(ValueError, match="base_rate \\+ gap must be below 1"):
        audit_sample_size(0.3, base_rate=0.8)
    with pytest.raises(TypeError, match="gap must be a real number; got NoneType"):
        audit_sample_size(None)
