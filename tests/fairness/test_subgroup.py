"""Tests for course_lib.fairness._subgroup (rich subgroup fairness).

Datasets are synthetic with a PLANTED unfair subgroup, so the right answer is
known in closed form:

* ``xor_data``: two binary protected attributes ``a, b`` with four cells of
  exactly 2,000 rows (1,200 negatives each). The false positive rate is 0.35
  in the cells ``a == b`` and 0.15 in the others, so each marginal group has
  FPR exactly 0.25 (fair on every marginal) while the subgroup ``a == b`` has
  gamma-unfairness ``alpha * |FP_g - FP| = 0.3 * 0.1 = 0.03``.
* ``halfspace_data``: three Gaussian protected attributes and a planted
  halfspace ``x0 + 2 x1 > 0`` whose negatives are false positives with
  probability 0.4 against 0.1 elsewhere.

sklearn's ``check_estimator`` is not run on GerryFairClassifier: ``fit``
requires ``sensitive_features`` (the protected attributes are not a column
choice the checks can make), and ``predict`` samples from a randomised
mixture, which the determinism checks (idempotence, subset invariance) reject
by design. Cloning and get_params/set_params are tested directly.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression

from course_lib.fairness import (
    GerryFairClassifier,
    LinearThreshold,
    SubgroupAuditor,
    group_metrics,
)


def jaccard(m1: np.ndarray, m2: np.ndarray) -> float:
    return float(np.sum(m1 & m2) / np.sum(m1 | m2))


def closed_form_fp_violation(y, p, mask) -> float:
    """alpha(g) * |FP_g - FP| computed from its definition."""
    neg = np.asarray(y) == 0
    alpha = np.mean(mask & neg)
    fp_g = np.mean(p[mask & neg])
    fp = np.mean(p[neg])
    return float(alpha * abs(fp_g - fp))


def xor_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    cells = []
    for a in (0, 1):
        for b in (0, 1):
            n_fp = 420 if a == b else 180  # FPR 0.35 or 0.15 among 1,200 negatives
            y = np.r_[np.zeros(1200, int), np.ones(800, int)]
            pred = np.r_[np.ones(n_fp, int), np.zeros(1200 - n_fp, int)]
            pred = np.r_[pred, (np.arange(800) < 560).astype(int)]  # TPR 0.7
            cells.append(np.column_stack([np.full(2000, a), np.full(2000, b), y, pred]))
    data = np.concatenate(cells)[rng.permutation(8000)]
    a, b, y, pred = data.T
    return a, b, y, pred


def halfspace_data(seed: int = 1, n: int = 20_000):
    rng = np.random.default_rng(seed)
    X_prot = rng.normal(size=(n, 3))
    planted = X_prot[:, 0] + 2 * X_prot[:, 1] > 0
    y = (rng.random(n) < 0.3).astype(int)
    fp_prob = np.where(planted, 0.4, 0.1)
    pred = np.where(y == 1, rng.random(n) < 0.8, rng.random(n) < fp_prob).astype(int)
    return X_prot, y, pred, planted


# --------------------------------------------------------------------------
# Auditor
# --------------------------------------------------------------------------


def test_xor_subgroup_fair_on_marginals_but_found_by_auditor():
    a, b, y, pred = xor_data()
    # Fair on each single attribute: FPR exactly 0.25 in every marginal group.
    for attr in (a, b):
        fpr = group_metrics(y, pred, sensitive_features=attr)["fpr"]
        assert np.allclose(fpr.to_numpy(), 0.25, atol=1e-12)
    # ... but the intersections differ by 0.2.
    cells = group_metrics(y, pred, sensitive_features={"a": a, "b": b})["fpr"]
    assert cells.max() - cells.min() == pytest.approx(0.2, abs=1e-12)

    planted = a == b
    X_prot = np.column_stack([a, b, a * b])  # the interaction makes a == b linear
    auditor = SubgroupAuditor()
    mask, violation, direction = auditor.audit(X_prot, y, pred)
    assert jaccard(mask, planted) >= 0.9
    assert np.array_equal(mask, planted)  # the saturated regression is exact here
    assert violation == pytest.approx(0.3 * (0.35 - 0.25), abs=1e-12)
    assert violation == pytest.approx(closed_form_fp_violation(y, pred, mask))
    assert direction == 1
    assert np.array_equal(auditor.group_.predict(X_prot).astype(bool), mask)
    # Every subset of the cells is reachable, so nothing beats 0.03: check all 16.
    cell = 2 * a + b
    for bits in range(16):
        subset = np.isin(cell, [k for k in range(4) if bits >> k & 1])
        assert auditor.violation(X_prot, y, pred, subset) <= violation + 1e-12


def test_halfspace_subgroup_found_with_closed_form_violation():
    X_prot, y, pred, planted = halfspace_data()
    auditor = SubgroupAuditor(fairness="FP")
    mask, violation, direction = auditor.audit(X_prot, y, pred)
    assert jaccard(mask, planted) >= 0.9
    assert direction == 1
    assert violation == pytest.approx(
        closed_form_fp_violation(y, pred, mask), rel=1e-12
    )
    planted_violation = auditor.violation(X_prot, y, pred, planted)
    assert planted_violation == pytest.approx(
        closed_form_fp_violation(y, pred, planted), rel=1e-12
    )
    # Population value: alpha = 0.5 * 0.7, FP_g - FP = 0.4 - 0.25.
    assert planted_violation == pytest.approx(0.35 * 0.15, abs=0.005)
    assert violation >= 0.9 * planted_violation
    # The group is a halfspace close to the planted direction (1, 2, 0).
    coef = auditor.group_.coef / np.linalg.norm(auditor.group_.coef)
    assert coef @ np.array([1, 2, 0]) / np.sqrt(5) > 0.99


def test_direction_minus_one_and_violation_is_symmetric():
    X_prot, y, pred, planted = halfspace_data(seed=2)
    auditor = SubgroupAuditor()
    v_planted = auditor.violation(X_prot, y, pred, planted)
    v_complement = auditor.violation(X_prot, y, pred, ~planted)
    assert v_planted == pytest.approx(v_complement, rel=1e-12)
    # An empty group has no violation.
    assert auditor.violation(X_prot, y, pred, np.zeros(len(y), bool)) == 0.0


def test_fn_and_sp_notions_mirror_fp():
    X_prot, y, pred, _ = halfspace_data(seed=3)
    fp = SubgroupAuditor("FP").audit(X_prot, y, pred)
    # FN on flipped labels and predictions is FP on the originals.
    fn = SubgroupAuditor("FN").audit(X_prot, 1 - y, 1 - pred)
    assert np.array_equal(fp[0], fn[0])
    assert fn[1] == pytest.approx(fp[1], rel=1e-12)
    # Statistical parity with every row negative is FP.
    zeros = np.zeros_like(y)
    neg = y == 0
    sp = SubgroupAuditor("SP").audit(X_prot[neg], y[neg], pred[neg])
    fp_neg = SubgroupAuditor("FP").audit(X_prot[neg], zeros[neg], pred[neg])
    assert np.array_equal(sp[0], fp_neg[0])
    assert sp[1] == pytest.approx(fp_neg[1], rel=1e-12)


def test_probabilities_and_integer_weights():
    X_prot, y, pred, planted = halfspace_data(seed=4, n=3000)
    auditor = SubgroupAuditor()
    rng = np.random.default_rng(0)
    proba = rng.random(len(y))
    # A randomised classifier: violation is linear in P(h = 1).
    expected = closed_form_fp_violation(y, proba, planted)
    assert auditor.violation(X_prot, y, proba, planted) == pytest.approx(expected)
    # Integer weights are the same as repeating rows.
    counts = rng.integers(1, 4, len(y))
    rep = np.repeat(np.arange(len(y)), counts)
    weighted = auditor.audit(X_prot, y, pred, sample_weight=counts)
    repeated = auditor.audit(X_prot[rep], y[rep], pred[rep])
    assert np.array_equal(weighted[0][rep], repeated[0])
    assert weighted[1] == pytest.approx(repeated[1], rel=1e-9)


def test_linear_threshold():
    g = LinearThreshold(np.array([1.0, -1.0]), 0.5)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 3.0]])
    assert np.array_equal(g.decision_function(X), [0.5, -0.5, -0.5])
    assert np.array_equal(g.predict(X), [1, 0, 0])
    with pytest.raises(ValueError, match="X must have 2 columns; got 3"):
        g.predict(np.zeros((2, 3)))


def test_auditor_error_paths():
    X_prot, y, pred, planted = halfspace_data(n=100)
    with pytest.raises(
        ValueError, match="fairness must be 'FP' or 'FN' or 'SP'; got 'EO'"
    ):
        SubgroupAuditor("EO").audit(X_prot, y, pred)
    with pytest.raises(ValueError, match="y_true must contain only the labels 0 and 1"):
        SubgroupAuditor().audit(X_prot, y + 1, pred)
    with pytest.raises(ValueError, match=r"y_pred must hold 0/1 predictions or prob"):
        SubgroupAuditor().audit(X_prot, y, pred * 2.0)
    with pytest.raises(ValueError, match="y_pred must have the same length"):
        SubgroupAuditor().audit(X_prot, y, pred[:-1])
    with pytest.raises(ValueError, match="X_prot must have 100 rows"):
        SubgroupAuditor().audit(X_prot[:-1], y, pred)
    with pytest.raises(ValueError, match="X_prot must be finite"):
        SubgroupAuditor().audit(np.full((100, 1), np.nan), y, pred)
    with pytest.raises(TypeError, match="X_prot must be numeric"):
        SubgroupAuditor().audit(np.array(["x"] * 100), y, pred)
    with pytest.raises(ValueError, match=r"negative \(y = 0\) row"):
        SubgroupAuditor().audit(X_prot, np.ones(100, int), pred)
    with pytest.raises(ValueError, match=r"positive \(y = 1\) row"):
        SubgroupAuditor("FN").audit(X_prot, np.zeros(100, int), pred)
    with pytest.raises(ValueError, match="group_mask must have the same length"):
        SubgroupAuditor().violation(X_prot, y, pred, planted[:-1])
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        SubgroupAuditor().audit(X_prot, y, pred, sample_weight=-np.ones(100))


# --------------------------------------------------------------------------
# GerryFairClassifier
# --------------------------------------------------------------------------


def learning_data(seed: int = 0, n: int = 6000):
    """Features where the best linear rule has excess FPR on the cells a == b."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2, (2, n))
    x1, x2 = rng.normal(size=(2, n))
    y = (x1 + 0.5 * rng.normal(size=n) > 0.3).astype(int)
    # A proxy that looks like a positive signal for the negatives of a == b.
    x3 = 0.8 * ((a == b) & (y == 0)) + 0.5 * rng.normal(size=n)
    X = np.column_stack([x1, x2, x3, a, b])
    X_prot = np.column_stack([a, b, a * b])
    return X, y, X_prot, a, b


def exact_max_cell_violation(y, p, a, b) -> float:
    """Largest FP violation over all unions of the four cells (all subgroups)."""
    neg = y == 0
    excess = np.array(
        [
            np.sum(p[neg & (a == i) & (b == j)] - p[neg].mean())
            for i in (0, 1)
            for j in (0, 1)
        ]
    ) / len(y)
    return float(max(excess[excess > 0].sum(), -excess[excess < 0].sum()))


@pytest.fixture(scope="module")
def fitted():
    X, y, X_prot, a, b = learning_data()
    clf = GerryFairClassifier(C=10, gamma=0.005, max_iters=100)
    clf.fit(X, y, sensitive_features=X_prot)
    return clf, X, y, X_prot, a, b


def test_first_round_is_the_unconstrained_regression_classifier(fitted):
    clf, X, y, *_ = fitted
    ols = LinearRegression().fit(X, y).predict(X) > 0.5
    assert np.array_equal(clf.classifiers_[0].predict(X).astype(bool), ols)
    assert clf.errors_[0] == pytest.approx(np.mean(ols != y))


def test_gerryfair_removes_the_subgroup_violation(fitted):
    clf, X, y, X_prot, a, b = fitted
    gamma, slack = clf.gamma, 0.002
    p0 = clf.classifiers_[0].predict(X).astype(float)
    # The unconstrained classifier is unfair (well above gamma) ...
    assert exact_max_cell_violation(y, p0, a, b) > 2 * gamma
    assert clf.violations_[0] > 2 * gamma
    # ... the mixture is within gamma + slack on every subgroup (exactly
    # checked over all unions of cells, which is every subgroup here).
    p = clf.predict_proba(X)[:, 1]
    assert exact_max_cell_violation(y, p, a, b) <= gamma + slack
    assert clf.violations_[-1] <= gamma + slack
    _, found, _ = SubgroupAuditor().audit(X_prot, y, p)
    assert found == pytest.approx(clf.violations_[-1], rel=1e-9)
    # Error: within 0.03 of the unconstrained classifier, and better than the
    # best constant (trivially fair) classifier.
    assert clf.errors_[-1] == pytest.approx(np.mean(np.abs(p - y)), rel=1e-12)
    assert clf.errors_[-1] <= clf.errors_[0] + 0.03
    assert clf.errors_[-1] < min(y.mean(), 1 - y.mean())
    assert len(clf.classifiers_) == len(clf.errors_) == len(clf.violations_) == 100
    assert clf.coef_.shape == (100, X.shape[1])


def test_predict_samples_the_mixture_reproducibly(fitted):
    clf, X, *_ = fitted
    p = clf.predict_proba(X)[:, 1]
    assert np.allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    assert np.array_equal(
        clf.predict(X, random_state=7), clf.predict(X, random_state=7)
    )
    assert not np.array_equal(
        clf.predict(X, random_state=7), clf.predict(X, random_state=8)
    )
    gen = clf.predict(X, random_state=np.random.default_rng(7))
    assert np.array_equal(gen, clf.predict(X, random_state=7))
    # P(predict = 1) = p: rows with p in {0, 1} are deterministic, and the
    # average over 200 draws matches p: by Hoeffding a row misses by 0.25 with
    # probability <= 2 exp(-2 * 200 * 0.25**2) = 2.8e-11, so a false failure
    # over 300 rows has probability < 1e-8.
    draws = np.mean([clf.predict(X[:300], random_state=s) for s in range(200)], axis=0)
    assert np.all(draws[p[:300] == 0] == 0) and np.all(draws[p[:300] == 1] == 1)
    assert np.max(np.abs(draws - p[:300])) < 0.25
    # The estimator's random_state is the default seed of predict.
    seeded = clone(clf).set_params(random_state=7)
    seeded.fit(X, fitted[2], sensitive_features=fitted[3])
    assert np.array_equal(seeded.predict(X), clf.predict(X, random_state=7))


def test_fit_is_deterministic_and_fn_mirrors_fp(fitted):
    clf, X, y, X_prot, *_ = fitted
    again = clone(clf).fit(X, y, sensitive_features=X_prot)
    assert np.array_equal(again.coef_, clf.coef_)
    # FN fairness on flipped labels is the mirror image of FP fairness.
    fn = clone(clf).set_params(fairness="FN").fit(X, 1 - y, sensitive_features=X_prot)
    assert np.allclose(fn.violations_, clf.violations_, atol=1e-12)
    assert np.allclose(fn.predict_proba(X)[:, 1], clf.predict_proba(X)[:, 0])


def test_string_labels_and_params():
    X, y, X_prot, *_ = learning_data(n=600)
    labels = np.where(y == 1, "yes", "no")
    clf = GerryFairClassifier(max_iters=3, fairness="SP").fit(
        X, labels, sensitive_features=X_prot
    )
    assert clf.classes_.tolist() == ["no", "yes"]
    assert set(clf.predict(X, random_state=0)) <= {"no", "yes"}
    params = clf.get_params()
    assert params == {
        "C": 10,
        "gamma": 0.01,
        "max_iters": 3,
        "fairness": "SP",
        "random_state": None,
    }
    assert clone(clf).set_params(C=2).C == 2
    assert not hasattr(clone(clf), "coef_")


def test_fit_is_vectorised_and_fast():
    X, y, X_prot, *_ = learning_data(n=50_000)
    start = time.perf_counter()
    clf = GerryFairClassifier(max_iters=50).fit(X, y, sensitive_features=X_prot)
    clf.predict(X, random_state=0)
    assert time.perf_counter() - start < 5.0  # about 0.3 s on the course machines


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"C": -1}, ValueError, "C must be a finite number >= 0; got -1"),
        ({"gamma": "0.1"}, TypeError, "gamma must be a real number; got str"),
        ({"max_iters": 0}, ValueError, "max_iters must be an integer >= 1; got 0"),
        ({"max_iters": 2.0}, TypeError, "max_iters must be an integer; got float"),
        ({"fairness": "fp"}, ValueError, "fairness must be 'FP' or 'FN' or 'SP'"),
    ],
)
def test_gerryfair_parameter_errors(params, error, match):
    X, y, X_prot, *_ = learning_data(n=200)
    with pytest.raises(error, match=match):
        GerryFairClassifier(**params).fit(X, y, sensitive_features=X_prot)


def test_gerryfair_data_errors():
    X, y, X_prot, *_ = learning_data(n=200)
    clf = GerryFairClassifier(max_iters=2)
    with pytest.raises(ValueError, match="not fitted yet"):
        clf.predict(X)
    with pytest.raises(ValueError, match="y must contain exactly two classes; got 3"):
        clf.fit(X, np.arange(200) % 3, sensitive_features=X_prot)
    with pytest.raises(ValueError, match="sensitive_features must have 200 rows"):
        clf.fit(X, y, sensitive_features=X_prot[:10])
    clf.fit(X, y, sensitive_features=X_prot)
    with pytest.raises(ValueError, match="X must have 5 columns, as in fit; got 4"):
        clf.predict_proba(X[:, :4])
