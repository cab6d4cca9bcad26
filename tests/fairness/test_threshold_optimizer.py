"""Tests for course_lib.fairness._threshold_optimizer, checked against fairlearn 0.15.

Data: Adult (logistic regression on five numeric columns, fitted on the train
split; sensitive feature ``sex``) and small synthetic data sets with three
groups, ties and anti-correlated scores.

``ThresholdOptimizer`` is not run through scikit-learn's ``check_estimator``:
its ``fit`` and ``predict`` require the keyword argument ``sensitive_features``
(there is no meaningful default, exactly as in fairlearn), which the common
checks never pass, and ``predict`` is randomised. ``clone``, ``get_params`` and
``set_params`` are tested directly instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.postprocessing import ThresholdOptimizer as FairlearnTO
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_lib.fairness import ThresholdOptimizer

from .postprocessing_data import Scorer as _Scorer
from .postprocessing_data import adult_data
from .postprocessing_data import synthetic_data as _synthetic

CONSTRAINTS = [
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "true_negative_rate_parity",
    "false_negative_rate_parity",
]
# Constraint violation allowed for the expected (pmf) predictions on the
# training data: by construction every group sits at the same grid value, so
# only rounding remains.
EXACT = 1e-9


# --------------------------------------------------------------------------
# Data (tests/fairness/postprocessing_data.py)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adult() -> dict:
    return adult_data()


@pytest.fixture(scope="module")
def synthetic() -> dict:
    return _synthetic(0)


def _expected_rates(pmf1: np.ndarray, y: np.ndarray, sf) -> tuple[float, np.ndarray]:
    """Expected accuracy and between-group gaps in (selection, TPR, FPR)."""
    g = pd.factorize(np.asarray(sf))[0]
    k = g.max() + 1
    sel = np.bincount(g, weights=pmf1, minlength=k) / np.bincount(g, minlength=k)
    tpr = np.bincount(g, weights=pmf1 * y, minlength=k) / np.bincount(
        g, weights=y, minlength=k
    )
    fpr = np.bincount(g, weights=pmf1 * (1 - y), minlength=k) / np.bincount(
        g, weights=1 - y, minlength=k
    )
    acc = float(np.mean(pmf1 * y + (1 - pmf1) * (1 - y)))
    gaps = np.array([np.ptp(sel), np.ptp(tpr), np.ptp(fpr)])
    return acc, gaps


def _violation(constraint: str, gaps: np.ndarray) -> float:
    """The constrained gap(s): selection, TPR, FPR or both TPR and FPR."""
    if constraint == "demographic_parity":
        return float(gaps[0])
    if constraint == "equalized_odds":
        return float(max(gaps[1], gaps[2]))
    if constraint in ("true_positive_rate_parity", "false_negative_rate_parity"):
        return float(gaps[1])
    return float(gaps[2])  # FPR or TNR parity


def _both(data: dict, **params) -> tuple[ThresholdOptimizer, FairlearnTO]:
    ours = ThresholdOptimizer(**params).fit(
        data["X"], data["y"], sensitive_features=data["sf"]
    )
    theirs = FairlearnTO(**params).fit(
        data["X"], data["y"], sensitive_features=data["sf"]
    )
    return ours, theirs


# --------------------------------------------------------------------------
# ThresholdOptimizer against fairlearn
# --------------------------------------------------------------------------


@pytest.mark.parametrize("constraint", CONSTRAINTS)
def test_adult_matches_fairlearn(adult, constraint):
    params = dict(
        estimator=adult["model"],
        constraints=constraint,
        prefit=True,
        predict_method="predict_proba",
    )
    ours, theirs = _both(adult, **params)
    for X, y, sf in [
        (adult["X"], adult["y"], adult["sf"]),
        (adult["X_test"], adult["y_test"], adult["sf_test"]),
    ]:
        p_ours = ours._pmf_predict(X, sensitive_features=sf)
        p_theirs = theirs._pmf_predict(X, sensitive_features=sf)
        np.testing.assert_allclose(p_ours, p_theirs, atol=1e-9)
        acc_o, gaps_o = _expected_rates(p_ours[:, 1], y, sf)
        acc_t, gaps_t = _expected_rates(p_theirs[:, 1], y, sf)
        assert abs(acc_o - acc_t) <= 0.005
        assert _violation(constraint, gaps_o) <= _violation(constraint, gaps_t) + 1e-9
    # On the training data the expected predictions meet the constraint.
    p = ours._pmf_predict(adult["X"], sensitive_features=adult["sf"])[:, 1]
    _, gaps = _expected_rates(p, adult["y"], adult["sf"])
    assert _violation(constraint, gaps) <= EXACT
    # And post-processing costs accuracy but not much: within 3 points of the
    # unconstrained model, which uses threshold 0.5.
    base = adult["model"].predict(adult["X"])
    assert np.mean(base == adult["y"]) - 0.03 <= np.mean(
        p * adult["y"] + (1 - p) * (1 - adult["y"])
    )


@pytest.mark.parametrize("constraint", CONSTRAINTS)
@pytest.mark.parametrize("objective", ["accuracy_score", "balanced_accuracy_score"])
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_synthetic_matches_fairlearn(constraint, objective, flip, ties):
    data = _synthetic(1, ties=ties)
    ours, theirs = _both(
        data,
        estimator=_Scorer(),
        constraints=constraint,
        objective=objective,
        flip=flip,
        prefit=True,
        grid_size=200,
    )
    p_ours = ours._pmf_predict(data["X"], sensitive_features=data["sf"])
    p_theirs = theirs._pmf_predict(data["X"], sensitive_features=data["sf"])
    np.testing.assert_allclose(p_ours, p_theirs, atol=1e-9)
    acc_o, gaps_o = _expected_rates(p_ours[:, 1], data["y"], data["sf"])
    acc_t, _ = _expected_rates(p_theirs[:, 1], data["y"], data["sf"])
    assert abs(acc_o - acc_t) <= 0.005
    assert _violation(constraint, gaps_o) <= EXACT
    np.testing.assert_allclose(np.sum(p_ours, axis=1), 1.0)


@pytest.mark.parametrize("objective", ["selection_rate", "true_positive_rate"])
def test_other_objectives_match_fairlearn(synthetic, objective):
    ours, theirs = _both(
        synthetic,
        estimator=_Scorer(),
        constraints="false_positive_rate_parity",
        objective=objective,
        prefit=True,
    )
    X, sf = synthetic["X"], synthetic["sf"]
    np.testing.assert_allclose(
        ours._pmf_predict(X, sensitive_features=sf),
        theirs._pmf_predict(X, sensitive_features=sf),
        atol=1e-9,
    )


def test_flip_helps_an_inverted_group(synthetic):
    fit = {"sensitive_features": synthetic["sf"]}
    plain = ThresholdOptimizer(_Scorer(), constraints="equalized_odds", prefit=True)
    flipped = clone(plain).set_params(flip=True)
    plain.fit(synthetic["X"], synthetic["y"], **fit)
    flipped.fit(synthetic["X"], synthetic["y"], **fit)
    assert flipped.flipped_.any()
    assert not plain.flipped_.any()
    # Without flip, group c's ROC hull is the chance diagonal, so the only
    # common points are on it; flipping c's scores gives a better optimum.
    assert plain.y_best_ == pytest.approx(plain.x_best_)
    assert flipped.y_best_ > flipped.x_best_ + 0.1
    X, sf = synthetic["X"], synthetic["sf"]
    acc_plain, _ = _expected_rates(
        plain._pmf_predict(X, sensitive_features=sf)[:, 1], synthetic["y"], sf
    )
    acc_flip, _ = _expected_rates(
        flipped._pmf_predict(X, sensitive_features=sf)[:, 1], synthetic["y"], sf
    )
    assert acc_flip > acc_plain + 0.01


def test_hard_predictions_as_scores_match_fairlearn(adult):
    """predict_method="predict" (Hardt et al.'s setting): two distinct scores."""
    ours, theirs = _both(
        adult,
        estimator=adult["model"],
        constraints="equalized_odds",
        prefit=True,
        predict_method="predict",
    )
    np.testing.assert_allclose(
        ours._pmf_predict(adult["X"], sensitive_features=adult["sf"]),
        theirs._pmf_predict(adult["X"], sensitive_features=adult["sf"]),
        atol=1e-9,
    )


def test_fits_the_estimator_unless_prefit(adult):
    X, y, sf = adult["X"][:4000], adult["y"][:4000], adult["sf"][:4000]
    est = make_pipeline(StandardScaler(), LogisticRegression())
    ours = ThresholdOptimizer(est, constraints="demographic_parity").fit(
        X, y, sensitive_features=sf
    )
    theirs = FairlearnTO(estimator=est, constraints="demographic_parity").fit(
        X, y, sensitive_features=sf
    )
    assert ours.estimator_ is not est
    assert not hasattr(est, "steps") or not hasattr(est[-1], "coef_")
    np.testing.assert_allclose(
        ours._pmf_predict(X, sensitive_features=sf),
        theirs._pmf_predict(X, sensitive_features=sf),
        atol=1e-9,
    )


def test_several_sensitive_features_match_fairlearn(synthetic):
    rng = np.random.default_rng(3)
    sf = pd.DataFrame({"g": synthetic["sf"], "h": rng.choice(["u", "v"], 3000)})
    data = dict(synthetic, sf=sf)
    ours, theirs = _both(
        data, estimator=_Scorer(), constraints="equalized_odds", prefit=True
    )
    assert len(ours.groups_) == 6
    assert ours.groups_.names == ["g", "h"]
    np.testing.assert_allclose(
        ours._pmf_predict(data["X"], sensitive_features=sf),
        theirs._pmf_predict(data["X"], sensitive_features=sf),
        atol=1e-9,
    )
    # Columns are matched by position at predict time, whatever their names.
    renamed = sf.set_axis(["x", "y"], axis=1)
    np.testing.assert_array_equal(
        ours._pmf_predict(data["X"], sensitive_features=renamed),
        ours._pmf_predict(data["X"], sensitive_features=sf),
    )


def test_integer_sample_weights_equal_repeated_rows(synthetic):
    rng = np.random.default_rng(5)
    w = rng.integers(0, 4, size=len(synthetic["y"]))
    rep = np.repeat(np.arange(len(w)), w)
    params = dict(estimator=_Scorer(), constraints="equalized_odds", prefit=True)
    weighted = ThresholdOptimizer(**params).fit(
        synthetic["X"],
        synthetic["y"],
        sensitive_features=synthetic["sf"],
        sample_weight=w,
    )
    repeated = ThresholdOptimizer(**params).fit(
        synthetic["X"][rep],
        synthetic["y"][rep],
        sensitive_features=synthetic["sf"][rep],
    )
    X, sf = synthetic["X"], synthetic["sf"]
    np.testing.assert_allclose(
        weighted._pmf_predict(X, sensitive_features=sf),
        repeated._pmf_predict(X, sensitive_features=sf),
        atol=1e-12,
    )


@pytest.mark.parametrize("constraints", CONSTRAINTS)
def test_fractional_sample_weights_fit_like_their_integer_multiples(
    synthetic, constraints
):
    # Regression: fractional weights made a group's cumulative weight miss its
    # total by a rounding error, and fit raised IndexError.
    rng = np.random.default_rng(11)
    w = rng.integers(1, 5, size=len(synthetic["y"]))
    params = dict(estimator=_Scorer(), constraints=constraints, prefit=True)
    X, y, sf = synthetic["X"], synthetic["y"], synthetic["sf"]
    whole = ThresholdOptimizer(**params).fit(
        X, y, sensitive_features=sf, sample_weight=w
    )
    scaled = ThresholdOptimizer(**params).fit(
        X, y, sensitive_features=sf, sample_weight=w * 0.1
    )
    np.testing.assert_allclose(
        scaled._pmf_predict(X, sensitive_features=sf),
        whole._pmf_predict(X, sensitive_features=sf),
        atol=1e-9,
    )


def test_predict_is_reproducible_and_follows_the_pmf(adult):
    opt = ThresholdOptimizer(
        adult["model"], constraints="equalized_odds", prefit=True
    ).fit(adult["X"], adult["y"], sensitive_features=adult["sf"])
    X, sf = adult["X_test"], adult["sf_test"]
    a = opt.predict(X, sensitive_features=sf, random_state=7)
    b = opt.predict(X, sensitive_features=sf, random_state=7)
    c = opt.predict(X, sensitive_features=sf, random_state=8)
    d = opt.predict(X, sensitive_features=sf, random_state=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert a.dtype == np.int64 and set(np.unique(a)) <= {0, 1}
    p = opt._pmf_predict(X, sensitive_features=sf)[:, 1]
    random_rows = (p > 0) & (p < 1)
    assert random_rows.sum() > 100
    assert (a != c)[random_rows].any()
    np.testing.assert_array_equal(a[~random_rows], p[~random_rows].astype(int))
    # Mean of the draws vs mean of the pmf: a sum of n independent terms in
    # [0, 1], so by Hoeffding P(|difference| >= t) <= 2 exp(-2 n t^2); with
    # t = sqrt(ln(2e6) / (2 n)) the false-failure rate is 1e-6.
    t = np.sqrt(np.log(2e6) / (2 * len(p)))
    assert abs(a.mean() - p.mean()) < t


def test_estimator_api(synthetic):
    opt = ThresholdOptimizer(_Scorer(), constraints="equalized_odds", grid_size=50)
    params = opt.get_params(deep=False)
    assert params["constraints"] == "equalized_odds" and params["grid_size"] == 50
    assert set(params) == {
        "estimator",
        "constraints",
        "objective",
        "grid_size",
        "flip",
        "prefit",
        "predict_method",
    }
    twin = clone(opt)
    assert twin.get_params(deep=False)["grid_size"] == 50
    assert (
        opt.fit(synthetic["X"], synthetic["y"], sensitive_features=synthetic["sf"])
        is opt
    )
    assert not hasattr(clone(opt), "thresholds_")
    assert list(opt.groups_) == ["a", "b", "c"]
    assert opt.thresholds_.shape == (3, 2) and opt.p0_.shape == (3,)
    assert np.all((opt.p_ignore_ >= 0) & (opt.p_ignore_ <= 1))
    assert opt.prediction_constant_ == opt.x_best_


# --------------------------------------------------------------------------
# ThresholdOptimizer errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"estimator": None}, ValueError, "estimator must be"),
        (
            {"constraints": "parity"},
            ValueError,
            r"constraints must be 'selection_rate_parity' or .*; got 'parity'",
        ),
        ({"constraints": 1}, TypeError, r"constraints must be .*; got int 1"),
        (
            {"constraints": "equalized_odds", "objective": "selection_rate"},
            ValueError,
            r"objective must be 'accuracy_score' or 'balanced_accuracy_score'; "
            r"got 'selection_rate' \(the objectives allowed for "
            r"constraints='equalized_odds'\)",
        ),
        (
            {"objective": "f1"},
            ValueError,
            r"objective must be 'accuracy_score' or .*'f1'",
        ),
        ({"grid_size": 0}, ValueError, "grid_size must be an integer >= 1; got 0"),
        ({"grid_size": 2.5}, TypeError, "grid_size must be an integer; got float"),
        (
            {"predict_method": "proba"},
            ValueError,
            r"predict_method must be 'auto' or .*; got 'proba'",
        ),
    ],
)
def test_invalid_parameters(synthetic, params, error, match):
    opt = ThresholdOptimizer(**({"estimator": _Scorer(), "prefit": True} | params))
    with pytest.raises(error, match=match):
        opt.fit(synthetic["X"], synthetic["y"], sensitive_features=synthetic["sf"])


def test_invalid_fit_inputs(synthetic):
    X, y, sf = synthetic["X"], synthetic["y"], synthetic["sf"]
    opt = ThresholdOptimizer(_Scorer(), prefit=True)
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        opt.fit(X, y * 2, sensitive_features=sf)
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        opt.fit(X, np.where(y == 1, "yes", "no"), sensitive_features=sf)
    with pytest.raises(ValueError, match="X and y must have the same length"):
        opt.fit(X[:-1], y, sensitive_features=sf)
    with pytest.raises(ValueError, match="same length"):
        opt.fit(X, y, sensitive_features=sf[:-1])
    with pytest.raises(ValueError, match="every group must have both labels"):
        opt.fit(X, y, sensitive_features=np.where(y == 1, "pos", sf))
    with pytest.raises(ValueError, match="must be finite"):
        opt.fit(np.where(X > 2, np.nan, X), y, sensitive_features=sf)
    with pytest.raises(NotFittedError):
        ThresholdOptimizer(LogisticRegression(), prefit=True).fit(
            X, y, sensitive_features=sf
        )
    with pytest.raises(ValueError, match="has no 'predict_proba'"):
        ThresholdOptimizer(_Scorer(), prefit=True, predict_method="predict_proba").fit(
            X, y, sensitive_features=sf
        )


def test_invalid_predict_inputs(synthetic):
    X, y, sf = synthetic["X"], synthetic["y"], synthetic["sf"]
    opt = ThresholdOptimizer(_Scorer(), prefit=True)
    with pytest.raises(NotFittedError):
        opt.predict(X, sensitive_features=sf)
    opt.fit(X, y, sensitive_features=sf)
    with pytest.raises(ValueError, match="only contain groups seen in fit"):
        opt.predict(X[:3], sensitive_features=["a", "b", "z"])
    with pytest.raises(ValueError, match="must have 1 column"):
        opt.predict(X, sensitive_features=pd.DataFrame({"g": sf, "h": sf}))
    with pytest.raises(TypeError, match="random_state must be"):
        opt.predict(X, sensitive_features=sf, random_state=np.random.RandomState(0))
