"""Tests for course_lib.fairness._preprocessing (Kamiran-Calders reweighing).

scikit-learn's ``check_estimator`` does not apply to :class:`Reweighing`: it is
neither a classifier, regressor nor transformer (it has no ``predict`` or
``transform``; it only produces sample weights), and its ``fit`` needs
``sensitive_features``, which the common checks never pass. The parts of the
estimator contract that do apply (``get_params``/``set_params``, ``clone``,
``fit`` returning ``self``, fitted attributes ending in ``_``) are tested here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from course_lib.datasets import load_adult
from course_lib.fairness import (
    Reweighing,
    default_proxy_estimator,
    demographic_parity_difference,
    reweighing_weights,
)

TOL = 1e-12


def random_data(seed, n=500, n_labels=2, intersectional=False, weighted=False):
    rng = np.random.default_rng(seed)
    sf = pd.DataFrame(
        {"sex": rng.choice(["f", "m"], n), "race": rng.choice(["x", "y", "z"], n)}
    )
    # Label depends on group, so the weights are far from 1; every group keeps
    # every label possible.
    power = 1 + 0.8 * (sf["sex"] == "m").to_numpy() - 0.4 * (sf["race"] == "z")
    y = np.minimum(rng.random(n) ** power * n_labels, n_labels - 1).astype(int)
    if not intersectional:
        sf = sf["race"]
    base = rng.uniform(0.2, 3.0, n) if weighted else None
    return y, sf, base


def weighted_conditional(y, groups, w):
    """Weighted P(y | g) as a (groups x labels) table, via pandas."""
    frame = pd.DataFrame({"y": y, "w": w}).join(
        groups.reset_index(drop=True)
        if isinstance(groups, pd.DataFrame)
        else pd.Series(np.asarray(groups), name="g").to_frame()
    )
    keys = [c for c in frame.columns if c not in ("y", "w")]
    table = frame.pivot_table(
        index=keys, columns="y", values="w", aggfunc="sum", fill_value=0
    )
    return table.div(table.sum(axis=1), axis=0)


CASES = [
    dict(seed=0),
    dict(seed=1, weighted=True),
    dict(seed=2, n_labels=3),
    dict(seed=3, intersectional=True),
    dict(seed=4, intersectional=True, n_labels=4, weighted=True, n=2_000),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_weighted_labels_are_independent_of_group(case):
    y, sf, base = random_data(**case)
    w = reweighing_weights(y, sensitive_features=sf, sample_weight=base)
    assert w.shape == (len(y),) and (w > 0).all()
    before = weighted_conditional(y, sf, np.ones(len(y)) if base is None else base)
    after = weighted_conditional(y, sf, w)
    # Before: the label distribution differs between groups ...
    assert np.ptp(before.to_numpy(), axis=0).max() > 0.05
    # ... after: every row of P(y | g) equals the overall P(y), to 1e-12.
    base_w = np.ones(len(y)) if base is None else base
    p_y = np.bincount(y, weights=base_w) / base_w.sum()
    assert np.abs(after.to_numpy() - p_y).max() <= TOL
    # The weights sum to n (to the sum of the base weights when given).
    assert w.sum() == pytest.approx(base_w.sum(), rel=TOL)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_weights_match_the_formula(case):
    y, sf, base = random_data(**case)
    base_w = np.ones(len(y)) if base is None else base
    keys = (
        [sf[c].to_numpy() for c in sf.columns]
        if isinstance(sf, pd.DataFrame)
        else [np.asarray(sf)]
    )
    frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    frame["y"], frame["w"] = y, base_w
    gcols = [c for c in frame.columns if c.startswith("k")]
    total = base_w.sum()
    p_g = frame.groupby(gcols)["w"].transform("sum") / total
    p_y = frame.groupby("y")["w"].transform("sum") / total
    p_gy = frame.groupby([*gcols, "y"])["w"].transform("sum") / total
    expected = (p_g * p_y / p_gy).to_numpy() * base_w
    w = reweighing_weights(y, sensitive_features=sf, sample_weight=base)
    np.testing.assert_allclose(w, expected, rtol=TOL, atol=0)


def test_hand_computed_weights():
    # Group a: three 1s, one 0; group b: one 1, three 0s. P(y=1) = 1/2.
    y = [1, 1, 1, 0, 1, 0, 0, 0]
    group = ["a"] * 4 + ["b"] * 4
    w = reweighing_weights(y, sensitive_features=group)
    # w(a, 1) = (1/2)(1/2)/(3/8) = 2/3; w(a, 0) = (1/2)(1/2)/(1/8) = 2.
    np.testing.assert_allclose(w, [2 / 3, 2 / 3, 2 / 3, 2, 2, 2 / 3, 2 / 3, 2 / 3])
    # Already independent: all weights 1.
    w = reweighing_weights([1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"])
    np.testing.assert_array_equal(w, np.ones(4))


def test_string_labels_and_categorical_groups():
    y = np.array(["yes", "no", "no", "yes", "yes", "no"])
    group = pd.Series(pd.Categorical(list("aabbba"), categories=list("cba")))
    w = reweighing_weights(y, sensitive_features=group)
    ref = reweighing_weights(
        (y == "yes").astype(int), sensitive_features=list("aabbba")
    )
    np.testing.assert_allclose(w, ref, rtol=TOL)


# --------------------------------------------------------------------------
# Reweighing
# --------------------------------------------------------------------------


def test_reweighing_object_matches_function():
    y, sf, _ = random_data(4, n=2_000, n_labels=3, intersectional=True)
    X = np.zeros((len(y), 2))
    rw = Reweighing()
    assert rw.fit(X, y, sensitive_features=sf) is rw
    np.testing.assert_array_equal(
        rw.sample_weight(y, sf), reweighing_weights(y, sensitive_features=sf)
    )
    assert list(rw.weights_.index.names) == ["sex", "race"]
    assert list(rw.weights_.index) == [
        (s, r) for s in ("f", "m") for r in ("x", "y", "z")
    ]
    assert rw.weights_.columns.name == "label"
    np.testing.assert_array_equal(rw.classes_, [0, 1, 2])
    assert rw.counts_.to_numpy().sum() == len(y)
    assert rw.n_features_in_ == 2
    # weights_ against the formula on counts_.
    c = rw.counts_.to_numpy()
    expected = c.sum(1, keepdims=True) * c.sum(0, keepdims=True) / (c * c.sum())
    np.testing.assert_allclose(rw.weights_.to_numpy(), expected, rtol=TOL)
    # Rows of the same cell get the same weight, looked up for new rows too,
    # matched by position (names may differ).
    new = pd.DataFrame({"a": ["m", "f"], "b": ["z", "x"]})
    got = rw.sample_weight([2, 0], new, sample_weight=[2.0, 1.0])
    assert got[0] == 2 * rw.weights_.loc[("m", "z"), 2]
    assert got[1] == rw.weights_.loc[("f", "x"), 0]


def test_reweighing_with_sample_weight_in_fit():
    y, sf, base = random_data(1, weighted=True)
    rw = Reweighing().fit(
        np.zeros(len(y)), y, sensitive_features=sf, sample_weight=base
    )
    assert rw.n_features_in_ == 1
    np.testing.assert_allclose(
        rw.sample_weight(y, sf, sample_weight=base),
        reweighing_weights(y, sensitive_features=sf, sample_weight=base),
        rtol=TOL,
    )
    np.testing.assert_allclose(rw.counts_.to_numpy().sum(), base.sum(), rtol=TOL)


def test_reweighing_estimator_contract():
    rw = Reweighing()
    assert rw.get_params() == {}
    assert rw.set_params() is rw
    y, sf, _ = random_data(0)
    rw.fit(np.zeros((len(y), 1)), y, sensitive_features=sf)
    fresh = clone(rw)
    assert not hasattr(fresh, "weights_")
    assert "Reweighing()" == repr(fresh)


def test_reweighing_lowers_demographic_parity_difference_on_adult():
    adult = load_adult(split="all")
    train, test = adult[adult["split"] == "train"], adult[adult["split"] == "test"]
    features = [c for c in adult.columns if c not in ("income", "split")]
    y_train = (train["income"] == ">50K").to_numpy().astype(int)
    y_test = (test["income"] == ">50K").to_numpy().astype(int)
    w = Reweighing().fit(train, y_train, sensitive_features=train["sex"])
    weights = w.sample_weight(y_train, train["sex"])
    plain = default_proxy_estimator(train[features]).fit(train[features], y_train)
    fair = default_proxy_estimator(train[features]).fit(
        train[features], y_train, logisticregression__sample_weight=weights
    )
    dpd = {}
    acc = {}
    for name, model in (("plain", plain), ("reweighed", fair)):
        pred = model.predict(test[features])
        dpd[name] = demographic_parity_difference(
            y_test, pred, sensitive_features=test["sex"]
        )
        acc[name] = float(np.mean(pred == y_test))
    # Measured on the test split: DPD 0.176 -> 0.080, accuracy 0.853 -> 0.846.
    assert dpd["reweighed"] < dpd["plain"] - 0.05
    assert acc["reweighed"] > acc["plain"] - 0.02


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: reweighing_weights([1, 1, 0, 0], sensitive_features=list("aabb")),
            ValueError,
            r"every \(group, label\) combination must occur .*got 2 empty cell\(s\), "
            r"e\.g\. no rows with label 0 in group 'a'",
        ),
        (
            lambda: reweighing_weights(
                [1, 0, 1, 0],
                sensitive_features=pd.DataFrame({"s": list("ffmm"), "r": list("xxxy")}),
            ),
            ValueError,
            r"got 2 empty cell\(s\), e\.g\. no rows with label 0 in group \('m', 'x'\)",
        ),
        (
            lambda: reweighing_weights(
                [1, 0, 1, 0],
                sensitive_features=list("aabb"),
                sample_weight=[1, 0, 1, 1],
            ),
            ValueError,
            r"combination must occur \(with positive weight\).*label 0 in group 'a'",
        ),
        (
            lambda: reweighing_weights([], sensitive_features=[]),
            ValueError,
            r"y must not be empty; got 0 samples",
        ),
        (
            lambda: reweighing_weights([1, np.nan], sensitive_features=["a", "b"]),
            ValueError,
            r"y must not contain missing values",
        ),
        (
            lambda: reweighing_weights(np.zeros((2, 2)), sensitive_features=["a", "b"]),
            ValueError,
            r"y must be 1-D; got an array of shape \(2, 2\)",
        ),
        (
            lambda: reweighing_weights([1, 0, 1], sensitive_features=["a", "b"]),
            ValueError,
            r"must have the same length as y_true \(3\); got 2",
        ),
        (
            lambda: reweighing_weights([1, 0], sensitive_features=["a", None]),
            ValueError,
            r"must not contain missing values",
        ),
        (
            lambda: reweighing_weights(
                [1, 0], sensitive_features=["a", "b"], sample_weight=[1, -1]
            ),
            ValueError,
            r"sample_weight must be finite and non-negative",
        ),
        (
            lambda: Reweighing().fit(np.zeros((3, 1)), [1, 0], sensitive_features="ab"),
            ValueError,
            r"X and y must have the same number of rows; got 3 and 2",
        ),
        (
            lambda: Reweighing().sample_weight([1], ["a"]),
            ValueError,
            r"This Reweighing is not fitted yet",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.fixture
def fitted():
    return Reweighing().fit(
        np.zeros(4), [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"]
    )


def test_lookup_errors(fitted):
    with pytest.raises(ValueError, match=r"only contain groups seen in fit; got 1 new"):
        fitted.sample_weight([1, 0], ["a", "c"])
    with pytest.raises(
        ValueError, match=r"only contain labels seen in fit \(\[0, 1\]\)"
    ):
        fitted.sample_weight([1, -1], ["a", "b"])
    with pytest.raises(ValueError, match=r"must have 1 feature\(s\) as in fit; got 2"):
        fitted.sample_weight([1], pd.DataFrame({"s": ["a"], "t": ["b"]}))
