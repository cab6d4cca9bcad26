"""Tests of course_lib.privacy._membership: membership inference and its bound under DP.

Randomised tests use fixed seeds, so they are deterministic; each states why
the property holds for (almost) every seed, with the false-failure rate.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from course_lib.datasets import load_adult
from course_lib.privacy import (
    advantage_bound,
    loss_threshold_attack,
    membership_advantage,
    membership_audit,
)


@pytest.fixture(scope="module")
def adult_split():
    df = load_adult(split="all")
    columns = [
        "age",
        "fnlwgt",
        "education_num",
        "capital_gain",
        "capital_loss",
        "hours_per_week",
    ]
    X = df[columns].to_numpy(dtype=float)
    y = (df["income"] == ">50K").to_numpy().astype(int)
    idx = np.random.default_rng(0).permutation(len(df))[:4_000]
    members, others = idx[:2_000], idx[2_000:]
    return X[members], y[members], X[others], y[others]


def test_loss_threshold_attack_overfit_vs_regularised(adult_split):
    Xm, ym, Xo, yo = adult_split
    tree = DecisionTreeClassifier(random_state=0).fit(Xm, ym)
    smooth = make_pipeline(StandardScaler(), LogisticRegression(C=0.1)).fit(Xm, ym)
    deep = loss_threshold_attack(tree, Xm, ym, Xo, yo)
    flat = loss_threshold_attack(smooth, Xm, ym, Xo, yo)
    # Without any generalisation gap, the advantage is a one-sided two-sample
    # KS statistic: P(adv > t) <= exp(-2 t^2 n m / (n + m)); with n = m = 2000,
    # t = 0.083 gives 1e-6. Measured (seed 0): tree 0.237, logistic 0.014.
    ks_bound = np.sqrt(np.log(1e6) / (2 * 1000))
    assert deep["advantage"] > 2 * ks_bound
    assert flat["advantage"] < ks_bound
    assert deep["auc"] > 0.58 and abs(flat["auc"] - 0.5) < 0.05
    # The fully grown tree has zero loss on its training points, so the best
    # threshold is 0 and the advantage is about its test error (Yeom et al.).
    assert deep["threshold"] == 0.0
    assert deep["advantage"] == pytest.approx(1 - tree.score(Xo, yo), abs=0.02)


def test_loss_threshold_attack_matches_membership_advantage(adult_split):
    Xm, ym, Xo, yo = adult_split
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(Xm, ym)
    result = loss_threshold_attack(model, Xm, ym, Xo, yo)

    def loss(X, y):
        return -np.log(model.predict_proba(X)[np.arange(len(y)), y])

    advantage = membership_advantage(
        loss(Xm, ym) <= result["threshold"], loss(Xo, yo) <= result["threshold"]
    )
    assert advantage == pytest.approx(result["advantage"])


def test_membership_errors(adult_split):
    Xm, ym, Xo, yo = adult_split
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(Xm, ym)
    with pytest.raises(
        ValueError, match=r"y_members must hold labels in model\.classes_"
    ):
        loss_threshold_attack(tree, Xm, ym + 5, Xo, yo)
    with pytest.raises(ValueError, match="y_nonmembers must be a 1-D array"):
        loss_threshold_attack(tree, Xm, ym, Xo, yo[:10])
    with pytest.raises(TypeError, match="model must be a fitted classifier"):
        loss_threshold_attack(object(), Xm, ym, Xo, yo)
    assert membership_advantage([1, 1, 0, 0], [0, 0, 0, 1]) == 0.25
    with pytest.raises(ValueError, match="predicted_members must not be empty"):
        membership_advantage([], [True])
    with pytest.raises(ValueError, match="predicted_nonmembers must be 1-D"):
        membership_advantage([True], [[True]])
    with pytest.raises(
        ValueError, match="predicted_members must contain only the labels 0 and 1"
    ):
        membership_advantage([2, 0], [True])


# ---------------------------------------------------------------------------
# The most a membership attack can reach against a private model
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0.0, 0.1, np.log(3), 1.0, 4.0])
@pytest.mark.parametrize("delta", [0.0, 1e-5, 0.1])
def test_advantage_bound_is_the_best_test_in_the_privacy_region(eps, delta):
    """The largest TPR - FPR over the (eps, delta) hypothesis-testing region."""
    fpr = np.linspace(0, 1, 200_001)
    tpr = np.minimum.reduce(
        [
            np.ones_like(fpr),
            np.exp(eps) * fpr + delta,
            1 - (1 - fpr - delta) / np.exp(eps),
        ]
    )
    assert advantage_bound(eps, delta) == pytest.approx((tpr - fpr).max(), abs=1e-5)


def test_advantage_bound_is_reached_by_randomised_response():
    """Answering "member?" truthfully with probability e^eps / (1 + e^eps)."""
    eps = np.array([0.25, 1.0, 3.0])
    p = np.exp(eps) / (1 + np.exp(eps))  # TPR; FPR = 1 - p
    assert np.allclose(advantage_bound(eps), p - (1 - p), rtol=1e-12)
    assert advantage_bound(np.log(3)) == pytest.approx(0.5, rel=1e-12)
    assert (advantage_bound(eps) < np.expm1(eps)).all()  # tighter than Yeom et al.


def test_advantage_bound_keeps_the_shape_and_gives_one_without_a_guarantee():
    assert isinstance(advantage_bound(np.float64(1.0), np.float32(0.0)), float)
    grid = advantage_bound(np.array([[0.0, np.inf], [1.0, 2.0]]), delta=1e-5)
    assert grid.shape == (2, 2) and grid[0, 1] == 1.0 and grid[0, 0] == 1e-5
    assert np.all(np.diff(advantage_bound(np.geomspace(1e-3, 15, 100))) > 0)


@pytest.mark.parametrize(
    ("epsilon", "delta", "error", "message"),
    [
        (-0.1, 0.0, ValueError, "epsilon must be at least 0; got"),
        ([1.0, np.nan], 0.0, ValueError, "epsilon must be at least 0; got"),
        ("one", 0.0, TypeError, "epsilon must be a real number or an array"),
        (1.0, 1.5, ValueError, r"delta must be a finite number in \[0, 1\]; got"),
        (1.0, "0", TypeError, "delta must be a real number; got"),
    ],
)
def test_advantage_bound_refuses_what_is_not_a_guarantee(
    epsilon, delta, error, message
):
    with pytest.raises(error, match=message):
        advantage_bound(epsilon, delta)


def _audit_data(n=900, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + rng.normal(size=n) > 0).astype(int)
    return X, y


def test_membership_audit_is_the_attack_on_each_split_done_by_hand():
    X, y = _audit_data()
    models = {
        "tree": DecisionTreeClassifier(max_depth=6),
        "linear": LogisticRegression(C=1e4),
    }
    runs = membership_audit(
        models,
        X,
        y,
        n_members=80,
        n_nonmembers=300,
        n_splits=3,
        rng=np.random.default_rng(5),
    )
    assert runs.columns.tolist() == ["split", "model", "advantage", "noise_floor"]
    assert runs["model"].tolist() == ["tree", "linear"] * 3
    rng = np.random.default_rng(5)
    for split in range(3):
        order = rng.permutation(len(y))
        mem, out, unseen = order[:80], order[80:380], order[380:460]
        for name, model in [
            ("tree", DecisionTreeClassifier(max_depth=6, random_state=split)),
            ("linear", LogisticRegression(C=1e4)),
        ]:
            model.fit(X[mem], y[mem])
            row = runs[(runs["split"] == split) & (runs["model"] == name)].iloc[0]
            attack = loss_threshold_attack(model, X[mem], y[mem], X[out], y[out])
            floor = loss_threshold_attack(model, X[unseen], y[unseen], X[out], y[out])
            assert row["advantage"] == attack["advantage"]
            assert row["noise_floor"] == floor["advantage"]


def test_membership_audit_tells_a_memorising_model_from_one_that_ignores_the_data():
    from sklearn.dummy import DummyClassifier

    X, y = _audit_data()
    models = {"memorises": DecisionTreeClassifier(), "ignores": DummyClassifier()}
    runs = membership_audit(
        models,
        X,
        y,
        n_members=100,
        n_nonmembers=300,
        n_splits=5,
        rng=np.random.default_rng(1),
    )
    means = runs.groupby("model")[["advantage", "noise_floor"]].mean()
    assert means.loc["memorises", "advantage"] > 0.25
    assert (
        means.loc["memorises", "advantage"] > 3 * means.loc["memorises", "noise_floor"]
    )
    # Its loss depends on the label only: what it shows is chance imbalance.
    assert means.loc["ignores", "advantage"] < 0.1


def test_membership_audit_is_reproducible_and_leaves_the_models_unfitted():
    X, y = _audit_data(n=500)
    tree = DecisionTreeClassifier(max_features=1)  # random without a random_state
    first, second = (
        membership_audit(
            {"tree": tree},
            X,
            y,
            n_members=50,
            n_nonmembers=100,
            n_splits=2,
            rng=np.random.default_rng(3),
        )
        for _ in range(2)
    )
    pd.testing.assert_frame_equal(first, second)
    assert not hasattr(tree, "tree_") and tree.random_state is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"models": {}}, TypeError, "models must be a non-empty mapping; got"),
        ({"models": [LogisticRegression()]}, TypeError, "models must be a non-empty"),
        ({"n_members": 0}, ValueError, "n_members must be an integer >= 1; got 0"),
        ({"n_nonmembers": 2.5}, TypeError, "n_nonmembers must be an integer; got"),
        ({"n_splits": 0}, ValueError, "n_splits must be an integer >= 1; got 0"),
        ({"n_members": 200}, ValueError, r"at least 2 \* n_members \+ n_nonmembers"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_membership_audit_refuses_bad_arguments(kwargs, error, message):
    X, y = _audit_data(n=450)
    arguments = {
        "models": {"linear": LogisticRegression()},
        "n_members": 100,
        "n_nonmembers": 200,
        "n_splits": 1,
        "rng": np.random.default_rng(0),
        **kwargs,
    }
    models = arguments.pop("models")
    with pytest.raises(error, match=message):
        membership_audit(models, X, y, **arguments)
