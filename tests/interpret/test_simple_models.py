"""Tests of course_lib.interpret._simple_models.

scikit-learn's ``check_estimator`` runs on :class:`SparseLinearClassifier`
with every check (see ``test_sklearn_compatible``).
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_lib.datasets import load_compas
from course_lib.interpret import (
    SparseLinearClassifier,
    best_subset_logistic,
    compare_accuracy,
    integer_score,
)

COMPAS_FEATURES = [
    "age",
    "priors_count",
    "male",
    "felony",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
]


@pytest.fixture(scope="module")
def compas_split():
    """ProPublica's COMPAS rows, 70/30 split by a fixed permutation."""
    d = load_compas(filter="propublica")
    X = pd.DataFrame(
        {
            "age": d["age"],
            "priors_count": d["priors_count"],
            "male": (d["sex"] == "Male").astype(int),
            "felony": (d["c_charge_degree"] == "F").astype(int),
            "juv_fel_count": d["juv_fel_count"],
            "juv_misd_count": d["juv_misd_count"],
            "juv_other_count": d["juv_other_count"],
        }
    ).astype(float)
    y = d["two_year_recid"].to_numpy()
    compas_pred = (d["decile_score"].to_numpy() >= 5).astype(int)
    perm = np.random.default_rng(0).permutation(len(d))
    n_test = len(d) * 3 // 10
    return X, y, compas_pred, perm[n_test:], perm[:n_test]


def test_two_feature_model_matches_compas(compas_split):
    """Dressel and Farid (2018): age + priors is as accurate as COMPAS.

    Measured on the 1,851 held-out rows (seed 0): two-feature logistic
    regression 0.673 [0.651, 0.694], COMPAS decile >= 5 0.648 [0.626, 0.669],
    paired difference +0.025 [0.002, 0.049]. Stated tolerance: both accuracies
    in [0.63, 0.70], and the two-feature model no worse than COMPAS by more
    than 0.01 and no better by more than 0.05.
    """
    X, y, compas_pred, train, test = compas_split
    clf = SparseLinearClassifier(max_features=2).fit(X.iloc[train], y[train])
    # The search over all 28 pairs and 7 singletons picks age and priors.
    assert [COMPAS_FEATURES[j] for j in clf.subset_] == ["age", "priors_count"]
    assert clf.coef_[0, 0] < 0 < clf.coef_[0, 1]  # younger, more priors: riskier
    cmp = compare_accuracy(y[test], clf.predict(X.iloc[test]), compas_pred[test])
    assert cmp.n == len(test) == 1851
    for est in (cmp.accuracy_a, cmp.accuracy_b):
        assert 0.63 <= est.estimate <= 0.70
        assert est.lower < est.estimate < est.upper
        assert est.upper - est.lower < 0.05
    assert -0.01 <= cmp.difference.estimate <= 0.05
    assert cmp.difference.lower < cmp.difference.estimate < cmp.difference.upper
    np.testing.assert_allclose(
        [cmp.accuracy_a.estimate, cmp.accuracy_b.estimate], [0.6731, 0.6478], atol=5e-3
    )
    # The integer scorecard (-1 point per year of age, +4 per prior) is as good.
    card = integer_score(clf.model_, max_points=4, feature_names=["age", "priors"])
    assert card.points.tolist() == [-1, 4]
    card_acc = card.accuracy(X.iloc[test][["age", "priors_count"]], y[test])
    assert abs(card_acc - cmp.accuracy_a.estimate) < 0.015
    assert card_acc >= cmp.accuracy_b.estimate - 0.01


def _brute_force(X, y, k, cv):
    folds = list(StratifiedKFold(n_splits=cv).split(X, y))
    best, best_score = None, -np.inf
    for size in range(1, k + 1):
        for subset in itertools.combinations(range(X.shape[1]), size):
            cols = list(subset)
            accs = []
            for train, test in folds:
                model = make_pipeline(StandardScaler(), LogisticRegression())
                model.fit(X[np.ix_(train, cols)], y[train])
                accs.append(np.mean(model.predict(X[np.ix_(test, cols)]) == y[test]))
            if np.mean(accs) > best_score:  # strict: ties keep the first
                best, best_score = subset, np.mean(accs)
    return best, best_score


@pytest.mark.parametrize("seed", [0, 2])
def test_best_subset_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 4)) * [1, 10, 0.1, 3]
    y = (X[:, seed] / X[:, seed].std() + rng.normal(size=80) > 0).astype(int)
    res = best_subset_logistic(X, y, k=2, cv=4)
    subset, score = _brute_force(X, y, 2, 4)
    assert res.subset == subset
    assert res.score == pytest.approx(score)
    assert len(res.scores) == 4 + 6
    assert res.scores["score"].is_monotonic_decreasing
    # Coefficients are in raw units: the refitted model predicts like the
    # standardised pipeline on the chosen columns.
    cols = list(res.subset)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[:, cols], y)
    np.testing.assert_allclose(
        res.model.decision_function(X[:, cols]),
        pipe.decision_function(X[:, cols]),
        atol=1e-6,
    )


def test_log_loss_scoring_and_names():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = (X["c"] + 0.2 * rng.normal(size=200) > 0).astype(int)
    res = best_subset_logistic(X, y, k=1, scoring="log_loss")
    assert res.names == ("c",)
    assert 0 < res.score < 0.4  # a log-loss, reported positive
    assert res.scores["score"].is_monotonic_increasing
    clf = SparseLinearClassifier(1, scoring="log_loss").fit(X, y)
    assert clf.feature_names_in_.tolist() == ["a", "b", "c"]
    assert clf.support_.tolist() == [False, False, True]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), (clf.decision_function(X) > 0))


def test_best_subset_errors():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match="k must be an integer >= 1; got 0"):
        best_subset_logistic(X, y, k=0)
    with pytest.raises(ValueError, match="k must be at most the number of features"):
        best_subset_logistic(X, y, k=3)
    with pytest.raises(ValueError, match="scoring must be 'accuracy' or 'log_loss'"):
        best_subset_logistic(X, y, k=1, scoring="auc")
    with pytest.raises(ValueError, match="C must be a finite number > 0; got 0"):
        best_subset_logistic(X, y, k=1, C=0)
    with pytest.raises(TypeError, match="C must be a real number; got str"):
        best_subset_logistic(X, y, k=1, C="1")
    with pytest.raises(TypeError, match="k must be an integer; got float"):
        best_subset_logistic(X, y, k=1.0)
    with pytest.raises(TypeError, match="scoring must be 'accuracy' or 'log_loss'"):
        best_subset_logistic(X, y, k=1, scoring=None)
    with pytest.raises(ValueError, match="feature_names must have one name per"):
        best_subset_logistic(X, y, k=1, feature_names=["a"])
    with pytest.raises(ValueError, match="X must be finite; got NaN or infinite"):
        best_subset_logistic(np.full((10, 2), np.nan), y, k=1)
    with pytest.raises(TypeError, match="X must be numeric"):
        best_subset_logistic(np.full((10, 2), "a"), y, k=1)
    with pytest.raises(ValueError, match="y must be a 1-d array with one entry"):
        best_subset_logistic(X, y[:5], k=1)
    with pytest.raises(ValueError, match="max_features must be an integer >= 1; got 0"):
        SparseLinearClassifier(max_features=0).fit(X, y)


# Every check applies and passes (check_array_api_input is skipped by
# scikit-learn itself: SCIPY_ARRAY_API is not set). cv=2 keeps the exhaustive
# search over the checks' 10-feature data fast.
@parametrize_with_checks([SparseLinearClassifier(cv=2)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_integer_score_rounding_and_threshold():
    card = integer_score([0.5, -0.25, 0.1], -0.6, max_points=4)
    # scale 8: points round(4, -2, 0.8) ; threshold ceil(4.8)
    assert card.points.tolist() == [4, -2, 1]
    assert card.threshold == 5
    assert card.scale == 8
    X = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 5]])
    np.testing.assert_array_equal(card.total(X), [5, 2, 5])
    np.testing.assert_array_equal(card.predict(X), [1, 0, 1])
    assert "x0  +4 points per unit" in card.describe()
    assert card.describe().endswith("predict 1 if total >= 5")


def test_integer_score_threshold_is_best_on_data():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 5, size=(300, 2))
    y = (X[:, 0] - X[:, 1] + rng.normal(size=300) > 0.5).astype(int)
    card = integer_score([1.0, -1.0], 0.0, max_points=1, X=X, y=y)
    totals = card.total(X)
    accs = {t: np.mean((totals >= t) == y) for t in range(-30, 31)}
    best = max(accs.values())
    assert card.accuracy(X, y) == pytest.approx(best)
    assert card.threshold == min(t for t, a in accs.items() if a == best)


def test_integer_score_errors():
    with pytest.raises(ValueError, match="coef must be a finite, non-zero 1-d"):
        integer_score([0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="intercept must be a number when coef"):
        integer_score([1.0], None)
    with pytest.raises(ValueError, match="max_points must be an integer >= 1; got 0"):
        integer_score([1.0], 0.0, max_points=0)
    with pytest.raises(ValueError, match="intercept must be a finite number; got inf"):
        integer_score([1.0], np.inf)
    with pytest.raises(TypeError, match="intercept must be a real number; got str"):
        integer_score([1.0], "0.5")
    with pytest.raises(ValueError, match="X and y must be given together"):
        integer_score([1.0], 0.0, X=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="y must contain only the labels 0 and 1"):
        integer_score([1.0], 0.0, X=np.zeros((2, 1)), y=[0, 2])
    with pytest.raises(ValueError, match=r"y must have length 2 \(one per row\)"):
        integer_score([1.0], 0.0, X=np.zeros((2, 1)), y=[0, 1, 1])
    with pytest.raises(ValueError, match="X must be a 2-d array with 1 columns"):
        integer_score([1.0], 0.0).predict(np.zeros((2, 3)))
    model = LogisticRegression().fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(TypeError, match="intercept must be None when a fitted"):
        integer_score(model, 1.0)


def test_compare_accuracy_by_hand_and_errors():
    y = np.array([1, 1, 0, 0, 1])
    a = np.array([1, 1, 0, 1, 1])  # 4/5
    b = np.array([0, 1, 0, 1, 0])  # 2/5
    cmp = compare_accuracy(y, a, b, confidence=0.9)
    assert cmp.accuracy_a.estimate == 0.8 and cmp.accuracy_b.estimate == 0.4
    # d = [1, 0, 0, 0, 1]: mean 0.4, sd sqrt(0.24), z(0.95) = 1.6449
    half = 1.6448536 * np.sqrt(0.24) / np.sqrt(5)
    assert cmp.difference.lower == pytest.approx(0.4 - half)
    assert cmp.difference.upper == pytest.approx(0.4 + half)
    with pytest.raises(ValueError, match="must be 1-d arrays of the same non-zero"):
        compare_accuracy(y, a[:3], b)
    with pytest.raises(
        ValueError, match=r"confidence must be a finite number in \(0, 1\); got 1.0"
    ):
        compare_accuracy(y, a, b, confidence=1.0)
    with pytest.raises(TypeError, match="confidence must be a real number; got str"):
        compare_accuracy(y, a, b, confidence="0.95")
