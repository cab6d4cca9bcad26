"""Tests for course_lib.fairness._bolt_on (Kearns and Roth's bolt-on randomisation)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.fairness import bolt_on_frontier, bolt_on_randomization


@pytest.fixture(scope="module")
def bolt_data() -> dict:
    rng = np.random.default_rng(11)
    n = 2000
    sf = np.repeat(["a", "b"], n // 2)
    y = (rng.random(n) < 0.5).astype(np.int64)
    # Group b has the lower false positive rate (0.05 against 0.30).
    noise = rng.random(n)
    fp_rate = np.where(sf == "a", 0.30, 0.05)
    y_pred = np.where(y == 1, noise < 0.8, noise < fp_rate).astype(np.int64)
    return {"y": y, "y_pred": y_pred, "sf": sf}


def test_bolt_on_randomization_changes_only_the_group(bolt_data):
    y_pred, sf = bolt_data["y_pred"], bolt_data["sf"]
    out = bolt_on_randomization(
        y_pred, sensitive_features=sf, group="b", p=0.5, random_state=1
    )
    np.testing.assert_array_equal(out[sf == "a"], y_pred[sf == "a"])
    assert (out[sf == "b"] != y_pred[sf == "b"]).any()
    same = bolt_on_randomization(
        y_pred, sensitive_features=sf, group="b", p=0.5, random_state=1
    )
    np.testing.assert_array_equal(out, same)
    np.testing.assert_array_equal(
        bolt_on_randomization(y_pred, sensitive_features=sf, group="b", p=0.0), y_pred
    )
    ones = bolt_on_randomization(
        y_pred, sensitive_features=sf, group="b", p=1.0, replacement_rate=1.0
    )
    assert ones[sf == "b"].all()


def test_bolt_on_frontier_is_linear_and_closes_the_gap(bolt_data):
    ps = np.linspace(0, 1, 11)
    f = bolt_on_frontier(
        bolt_data["y"],
        bolt_data["y_pred"],
        sensitive_features=bolt_data["sf"],
        group="b",
        ps=ps,
        metric="fpr",
        replacement_rate=0.5,
    )
    # Affine in p: second differences vanish for error and group rate.
    assert np.abs(np.diff(f["error"], 2)).max() < 1e-12
    assert np.abs(np.diff(f["group_rate"], 2)).max() < 1e-12
    # Until b's FPR crosses a's, unfairness falls linearly as error rises.
    before = f["group_rate"] <= f["group_rate"].iloc[0] + f["unfairness"].iloc[0]
    part = f[before]
    slope = np.diff(part["unfairness"]) / np.diff(part["error"])
    np.testing.assert_allclose(slope, slope[0], rtol=1e-9)
    assert slope[0] < 0
    # At p = 0 the rates are those of the original predictions.
    neg_b = (bolt_data["sf"] == "b") & (bolt_data["y"] == 0)
    assert f["group_rate"].iloc[0] == pytest.approx(bolt_data["y_pred"][neg_b].mean())
    assert f["error"].iloc[0] == pytest.approx(
        np.mean(bolt_data["y_pred"] != bolt_data["y"])
    )


@pytest.mark.parametrize("metric", ["fpr", "selection_rate", "tpr", "error_rate"])
def test_bolt_on_frontier_matches_monte_carlo(bolt_data, metric):
    """Closed form against the average of R simulated randomisations.

    Checked quantities: for each of K = 5 values of p, the overall error and
    the randomised group's rate (2K = 10 checks). Each Monte Carlo average is
    a mean of independent terms in [0, 1] with known ranges, so Hoeffding
    gives P(|avg - expectation| >= t) <= 2 exp(-2 t^2 / sum(c_i^2)):
    * group rate: m = R * d independent indicators (d = size of the rate's
      denominator set in the group), each weight 1/m: sum c_i^2 = 1/m;
    * error: R * n_b random indicators, each weight 1/(R n): sum c_i^2 =
      n_b / (R n^2).
    With t = sqrt(ln(2 / delta) * sum c_i^2 / 2) and delta = 1e-7 per check,
    the union bound puts the false-failure rate of this test at most 1e-6.
    The test has power: for the rates moved by the coin's bias (all but the
    error rate of this half-positive group) a wrong replacement_rate (0.6
    instead of 0.5) moves the expectation by 0.1 p = 0.09 at p = 0.9, far
    outside 2 t (at most about 0.01 here), which is asserted.
    """
    y, y_pred, sf = bolt_data["y"], bolt_data["y_pred"], bolt_data["sf"]
    ps = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    R = 400
    rng = np.random.default_rng(2024)
    f = bolt_on_frontier(
        y, y_pred, sensitive_features=sf, group="b", ps=ps, metric=metric
    )
    wrong = bolt_on_frontier(
        y,
        y_pred,
        sensitive_features=sf,
        group="b",
        ps=ps,
        metric=metric,
        replacement_rate=0.6,
    )
    in_b = sf == "b"
    denominator = {
        "fpr": in_b & (y == 0),
        "tpr": in_b & (y == 1),
        "selection_rate": in_b,
        "error_rate": in_b,
    }[metric]
    delta = 1e-7
    m = R * denominator.sum()
    t_rate = np.sqrt(np.log(2 / delta) / (2 * m))
    t_err = np.sqrt(np.log(2 / delta) * in_b.sum() / (2 * R * len(y) ** 2))
    for i, p in enumerate(ps):
        draws = np.stack(
            [
                bolt_on_randomization(
                    y_pred, sensitive_features=sf, group="b", p=p, random_state=rng
                )
                for _ in range(R)
            ]
        )
        if metric == "error_rate":
            hits = draws[:, denominator] != y[denominator]
        else:
            hits = draws[:, denominator] == 1
        rate_mc = hits.mean()
        error_mc = (draws != y).mean()
        assert abs(rate_mc - f["group_rate"][i]) < t_rate
        assert abs(error_mc - f["error"][i]) < t_err
    # Power: the wrong coin is far outside the band at the largest p (for the
    # error rate of a half-positive group the coin's bias hardly matters).
    if metric != "error_rate":
        assert abs(wrong["group_rate"].iloc[-1] - f["group_rate"].iloc[-1]) > 2 * t_rate


def test_bolt_on_errors(bolt_data):
    y, y_pred, sf = bolt_data["y"], bolt_data["y_pred"], bolt_data["sf"]
    with pytest.raises(ValueError, match="group must be one of the observed"):
        bolt_on_randomization(y_pred, sensitive_features=sf, group="z", p=0.5)
    with pytest.raises(
        ValueError, match=r"p must be a finite number in \[0, 1\]; got 1.5"
    ):
        bolt_on_randomization(y_pred, sensitive_features=sf, group="a", p=1.5)
    with pytest.raises(TypeError, match="p must be a real number; got str"):
        bolt_on_randomization(y_pred, sensitive_features=sf, group="a", p="half")
    with pytest.raises(
        ValueError, match=r"replacement_rate must be a finite number in \[0, 1\]"
    ):
        bolt_on_randomization(
            y_pred, sensitive_features=sf, group="a", p=0.5, replacement_rate=-0.1
        )
    with pytest.raises(ValueError, match="y_pred must contain only the labels"):
        bolt_on_randomization(y_pred + 1, sensitive_features=sf, group="a", p=0.5)
    with pytest.raises(
        ValueError,
        match="metric must be 'selection_rate' or 'tpr' or 'fpr' or 'error_rate'",
    ):
        bolt_on_frontier(
            y, y_pred, sensitive_features=sf, group="a", ps=[0.5], metric="ppv"
        )
    with pytest.raises(ValueError, match="ps must lie in"):
        bolt_on_frontier(y, y_pred, sensitive_features=sf, group="a", ps=[0.5, 2.0])
    with pytest.raises(ValueError, match="y_true must have length"):
        bolt_on_frontier(y[:-1], y_pred, sensitive_features=sf, group="a", ps=[0.5])
