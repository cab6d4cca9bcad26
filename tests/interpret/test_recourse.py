"""Tests of course_lib.interpret._recourse."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from course_lib.datasets import load_german
from course_lib.interpret import counterfactual, recourse_report


def _numeric_l2(w, b, x, mask, lower, upper, d, margin):
    """Weighted l2 counterfactual by SLSQP (the reference)."""
    free = np.flatnonzero(mask)

    def full(z):
        out = x.copy()
        out[free] = z
        return out

    res = minimize(
        lambda z: np.sum((d[free] * (z - x[free])) ** 2),
        x[free] + 0.1,
        jac=lambda z: 2 * d[free] ** 2 * (z - x[free]),
        constraints=[{"type": "ineq", "fun": lambda z: full(z) @ w + b - margin}],
        bounds=list(zip(lower[free], upper[free], strict=True)),
        method="SLSQP",
        options={"ftol": 1e-10, "maxiter": 500},
    )
    out = full(res.x)
    # SLSQP may stop with "positive directional derivative" at the optimum:
    # require only that its point is feasible.
    assert out @ w + b >= margin - 1e-6
    assert (out >= lower - 1e-9).all() and (out <= upper + 1e-9).all()
    return out


@pytest.mark.parametrize("seed", range(5))
def test_l2_closed_form_is_minimal(seed):
    rng = np.random.default_rng(seed)
    p = 5
    w, x = rng.normal(size=p), rng.normal(size=p)
    b = -(x @ w) - 1.0  # x is denied: score -1
    d = rng.uniform(0.5, 2, size=p)
    mask = np.ones(p, dtype=bool)
    mask[rng.integers(p)] = False
    inf = np.full(p, np.inf)
    cf = counterfactual(w, b, x, actionable=mask, weights=d, margin=0.0)
    assert cf.feasible
    assert cf.x @ w + b == pytest.approx(0.0, abs=1e-9)  # on the boundary
    np.testing.assert_array_equal(cf.x[~mask], x[~mask])  # immutables kept
    ref = _numeric_l2(w, b, x, mask, -inf, inf, d, 0.0)
    np.testing.assert_allclose(cf.x, ref, atol=1e-5)
    assert cf.cost == pytest.approx(np.linalg.norm(d * (ref - x)), rel=1e-6)
    # Closed form: cost = need / ||a / d|| over the actionable features.
    assert cf.cost == pytest.approx(1.0 / np.linalg.norm((w / d)[mask]))


@pytest.mark.parametrize("seed", range(5))
def test_l2_with_bounds_matches_numeric_optimum(seed):
    rng = np.random.default_rng(10 + seed)
    p = 4
    w, x = rng.normal(size=p), rng.uniform(-1, 1, size=p)
    b = -(x @ w) - 1.5
    lower, upper = np.full(p, -1.5), np.full(p, 1.5)
    mask = np.array([True, True, True, False])
    cf = counterfactual(w, b, x, actionable=mask, bounds=(lower, upper), margin=1e-3)
    cap = np.abs(w[:3]) @ np.where(w[:3] > 0, upper[:3] - x[:3], x[:3] - lower[:3])
    assert cf.feasible == (cap >= 1.5 + 1e-3)
    if not cf.feasible:
        assert cf.cost == np.inf and np.isnan(cf.x).all()
        return
    assert (cf.x >= lower).all() and (cf.x <= upper).all()
    assert cf.x[3] == x[3]
    assert cf.score >= 1e-3 - 1e-12
    ref = _numeric_l2(w, b, x, mask, lower, upper, np.ones(p), 1e-3)
    assert cf.cost <= np.linalg.norm(ref - x) + 1e-7
    np.testing.assert_allclose(cf.x, ref, atol=1e-3)


def test_l2_bounds_make_features_saturate():
    # Raise x0 + x1 + x2 from 0 to 3 with x0 <= 0.5: x0 saturates, the rest
    # share the remaining 2.5 equally.
    cf = counterfactual(
        np.ones(3), -3.0, np.zeros(3), bounds=(-5.0, [0.5, 5, 5]), margin=0.0
    )
    np.testing.assert_allclose(cf.x, [0.5, 1.25, 1.25])
    assert cf.cost == pytest.approx(np.sqrt(0.25 + 2 * 1.25**2))


@pytest.mark.parametrize("seed", range(4))
def test_l1_lp_matches_grid_brute_force(seed):
    rng = np.random.default_rng(20 + seed)
    w = rng.normal(size=2)
    x = rng.uniform(-1, 1, size=2)
    b = -(x @ w) - 0.5
    d = rng.uniform(0.5, 2.0, size=2)
    lower, upper = np.array([-2.0, -2.0]), np.array([2.0, 2.0])
    cf = counterfactual(
        w, b, x, cost="l1", weights=d, bounds=(lower, upper), margin=0.0
    )
    grid = np.linspace(-2, 2, 801)  # step 0.005
    g0, g1 = np.meshgrid(grid, grid, indexing="ij")
    points = np.column_stack([g0.ravel(), g1.ravel()])
    ok = points @ w + b >= 0
    costs = np.abs(d * (points - x)).sum(axis=1)
    if not ok.any():
        assert not cf.feasible
        return
    best = costs[ok].min()
    assert cf.feasible
    assert cf.x @ w + b >= -1e-7
    assert cf.cost <= best + 1e-9  # never worse than any grid point
    assert cf.cost >= best - 0.005 * d.max() * 2  # and within the grid step
    # The vectorised knapsack of recourse_report gives the same cost.
    report = recourse_report(
        w,
        x[None, :],
        intercept=b,
        cost="l1",
        weights=d,
        bounds=(lower, upper),
        margin=0.0,
    )
    assert report["cost"].iloc[0] == pytest.approx(cf.cost, rel=1e-7)


def test_l1_changes_the_most_effective_feature_first():
    # Gains per unit cost: x0 2/1, x1 1/1, x2 3/4: x0 first (up to its bound 1),
    # then x1 for the rest.
    cf = counterfactual(
        [2.0, 1.0, 3.0],
        -3.0,
        [0.0, 0.0, 0.0],
        cost="l1",
        weights=[1.0, 1.0, 4.0],
        bounds=(-1.0, [1.0, 5.0, 5.0]),
        margin=0.0,
    )
    np.testing.assert_allclose(cf.x, [1.0, 1.0, 0.0], atol=1e-9)
    assert cf.cost == pytest.approx(2.0)


def test_target_zero_and_already_target():
    cf = counterfactual([1.0, 0.0], 0.0, [2.0, 5.0], target=0, margin=0.5)
    np.testing.assert_allclose(cf.x, [-0.5, 5.0])
    assert cf.score == pytest.approx(-0.5)
    same = counterfactual([1.0, 0.0], 0.0, [2.0, 5.0])
    assert same.cost == 0.0 and same.feasible
    np.testing.assert_array_equal(same.x, [2.0, 5.0])


def test_infeasible_recourse_is_reported():
    kwargs = {"actionable": np.array([False, True]), "bounds": (0.0, 1.0)}
    for cost in ("l1", "l2"):
        cf = counterfactual([1.0, 1.0], -3.0, [0.5, 0.5], cost=cost, **kwargs)
        assert not cf.feasible and cf.cost == np.inf and np.isnan(cf.x).all()
    # Only immutable features carry weight: never feasible, even unbounded.
    cf = counterfactual([1.0, 0.0], -3.0, [0.0, 0.0], actionable=[False, True])
    assert not cf.feasible


def test_model_input_flips_the_prediction():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    y = (X @ [1.0, -2.0, 0.5] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    denied = X[model.predict(X) == 0]
    for x in denied[:10]:
        for cost in ("l1", "l2"):
            cf = counterfactual(model, None, x, cost=cost)
            assert model.predict(cf.x[None, :])[0] == 1
            assert cf.score == pytest.approx(1e-6, abs=1e-9)
    report = recourse_report(model, X, cost="l2")
    assert len(report) == len(denied) and report["feasible"].all()
    single = [counterfactual(model, None, x).cost for x in denied]
    np.testing.assert_allclose(report["cost"], single, rtol=1e-9)
    moved = X[report.index] + report.filter(like="delta_").to_numpy()
    np.testing.assert_array_equal(model.predict(moved), 1)


@pytest.fixture(scope="module")
def german():
    g = load_german()
    X = pd.DataFrame(
        {
            "duration": g["duration"],
            "credit_amount": g["credit_amount"],
            "installment_rate": g["installment_rate"],
            "existing_credits": g["existing_credits"],
            "age": g["age"],
            "people_liable": g["people_liable"],
            "no_checking": g["status"] == "no checking account",
            "checking_negative": g["status"] == "... < 0 DM",
            "foreign_worker": g["foreign_worker"],
            "critical_history": g["credit_history"]
            .astype(str)
            .str.startswith("critical"),
        }
    ).astype(float)
    y = (g["credit"] == "good").astype(int).to_numpy()
    mean, sd = X.mean(), X.std()
    model = LogisticRegression(max_iter=1000).fit((X - mean) / sd, y)
    w = model.coef_[0] / sd.to_numpy()
    b = model.intercept_[0] - w @ mean.to_numpy()
    return X, w, b, 1 / sd.to_numpy()


def test_german_credit_some_have_no_recourse(german):
    """Ustun, Spangher and Liu (2019): recourse can be infeasible.

    Measured: 202 of 1,000 applicants are denied; when only the loan's
    duration and amount may change, within the ranges seen in the data,
    9 of them have no recourse (l1 and l2 agree); allowing the instalment rate
    and the number of existing credits to change too gives all 202 recourse.
    """
    X, w, b, d = german
    bounds = (X.min().to_numpy(), X.max().to_numpy())
    narrow = ["duration", "credit_amount"]
    reports = {
        cost: recourse_report(
            w, X, intercept=b, actionable=narrow, bounds=bounds, cost=cost, weights=d
        )
        for cost in ("l1", "l2")
    }
    r1, r2 = reports["l1"], reports["l2"]
    assert len(r1) == len(r2) == 202
    assert 1 <= (~r1["feasible"]).sum() <= 30
    np.testing.assert_array_equal(r1["feasible"], r2["feasible"])
    assert (r1.loc[~r1["feasible"], "cost"] == np.inf).all()
    assert (
        r1.loc[r1["feasible"], "cost"] >= r2.loc[r1["feasible"], "cost"] - 1e-9
    ).all()
    # Immutable features never change; bounds hold.
    feasible = r1[r1["feasible"]]
    others = [c for c in X.columns if c not in narrow]
    assert (feasible[[f"delta_{c}" for c in others]] == 0).all().all()
    moved = (
        X.loc[feasible.index] + feasible[[f"delta_{c}" for c in X.columns]].to_numpy()
    )
    assert (moved >= bounds[0] - 1e-9).all().all()
    assert (moved <= bounds[1] + 1e-9).all().all()
    assert (moved.to_numpy() @ w + b > 0).all()
    # The LP of counterfactual agrees with the vectorised knapsack, row by row.
    for i in r1.index[:40]:
        cf = counterfactual(
            w,
            b,
            X.loc[i].to_numpy(),
            cost="l1",
            weights=d,
            bounds=bounds,
            actionable=X.columns.isin(narrow),
        )
        assert cf.feasible == r1.loc[i, "feasible"]
        if cf.feasible:
            assert cf.cost == pytest.approx(r1.loc[i, "cost"], rel=1e-6)
    wide = [*narrow, "installment_rate", "existing_credits"]
    r_wide = recourse_report(
        w, X, intercept=b, actionable=wide, bounds=bounds, weights=d
    )
    assert r_wide["feasible"].all()


def test_recourse_errors():
    w, x = np.array([1.0, 1.0]), np.array([0.0, 0.0])
    with pytest.raises(ValueError, match="intercept must be a number when coef"):
        counterfactual(w, None, x)
    with pytest.raises(ValueError, match="x must be a finite 1-d array with 2"):
        counterfactual(w, 0.0, [1.0])
    with pytest.raises(
        ValueError, match="actionable must be a boolean mask of length 2"
    ):
        counterfactual(w, -1.0, x, actionable=[1, 0])
    with pytest.raises(ValueError, match="bounds must be a pair"):
        counterfactual(w, -1.0, x, bounds=1.0)
    with pytest.raises(
        ValueError, match=r"bounds must be \(lower, upper\) with lower <= upper"
    ):
        counterfactual(w, -1.0, x, bounds=(1.0, 0.0))
    with pytest.raises(ValueError, match="x must lie within bounds"):
        counterfactual(w, -1.0, x, bounds=(1.0, 2.0))
    with pytest.raises(ValueError, match="weights must be positive finite"):
        counterfactual(w, -1.0, x, weights=[1.0, 0.0])
    with pytest.raises(ValueError, match="target must be 0 or 1; got 2"):
        counterfactual(w, -1.0, x, target=2)
    with pytest.raises(TypeError, match="target must be 0 or 1; got str"):
        counterfactual(w, -1.0, x, target="1")
    with pytest.raises(ValueError, match="margin must be a finite number >= 0; got -1"):
        counterfactual(w, -1.0, x, margin=-1.0)
    with pytest.raises(TypeError, match="margin must be a real number; got str"):
        counterfactual(w, -1.0, x, margin="0.1")
    with pytest.raises(ValueError, match="cost must be 'l1' or 'l2'; got 'linf'"):
        counterfactual(w, -1.0, x, cost="linf")
    with pytest.raises(TypeError, match="cost must be 'l1' or 'l2'; got NoneType"):
        counterfactual(w, -1.0, x, cost=None)
    with pytest.raises(ValueError, match="intercept must be a finite number; got inf"):
        counterfactual(w, np.inf, x)
    with pytest.raises(TypeError, match="intercept must be a real number; got str"):
        counterfactual(w, "0", x)
    model = LogisticRegression().fit(np.eye(2), [0, 1])
    with pytest.raises(TypeError, match="intercept must be None when a fitted"):
        counterfactual(model, 1.0, x)
    multi = LogisticRegression().fit(np.eye(3), [0, 1, 2])
    with pytest.raises(ValueError, match=r"model.coef_ must have shape \(1, p\)"):
        counterfactual(multi, None, np.zeros(3))
    with pytest.raises(ValueError, match="X must be a finite 2-d array with 2 columns"):
        recourse_report(w, np.zeros((3, 3)), intercept=0.0)
    with pytest.raises(ValueError, match="actionable must name columns of X"):
        recourse_report(
            w,
            pd.DataFrame(np.zeros((2, 2)), columns=["a", "b"]),
            intercept=-1.0,
            actionable=["c"],
        )
