"""Tests for course_lib.fairness.postprocessing, cross-checked against fairlearn 0.15.

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
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_lib.datasets import load_adult
from course_lib.fairness.postprocessing import (
    ThresholdOptimizer,
    bolt_on_frontier,
    bolt_on_randomization,
    group_thresholds,
    threshold_sweep,
)

ADULT_FEATURES = ["age", "education_num", "capital_gain", "capital_loss"]
ADULT_FEATURES += ["hours_per_week"]
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
# Data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adult() -> dict:
    df = load_adult(split="all")
    X = df[ADULT_FEATURES].to_numpy(dtype=float)
    y = (df["income"] == ">50K").to_numpy().astype(np.int64)
    train = (df["split"] == "train").to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(X[train], y[train])
    sex = df["sex"]
    return {
        "model": model,
        "X": X[train],
        "y": y[train],
        "sf": sex[train].reset_index(drop=True),
        "X_test": X[~train],
        "y_test": y[~train],
        "sf_test": sex[~train].reset_index(drop=True),
    }


class _Scorer(BaseEstimator):
    """A 'fitted' model whose score is column 0 of X (for synthetic data)."""

    def fit(self, X, y):
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=float)[:, 0]

    def __sklearn_is_fitted__(self) -> bool:
        return True


def _synthetic(seed: int, n: int = 3000, ties: bool = False) -> dict:
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b", "c"]), size=n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(group).map({"a": 0.8, "b": 0.0, "c": -0.4}).to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-shift))).astype(np.int64)
    score = rng.normal(loc=1.2 * y + 0.3 * shift, scale=1.0)
    score[group == "c"] *= -0.3  # group c: weak and inverted scores (flip helps)
    if ties:
        score = np.round(score, 1)
    return {"X": score[:, None], "y": y, "sf": group}


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


def _monotone_chain(x, y):
    """fairlearn's upper hull, one point at a time (the reference)."""
    kept: list[int] = []
    for i in range(len(x)):
        while len(kept) >= 2:
            a, b = kept[-2], kept[-1]
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                kept.pop()
            else:
                break
        kept.append(i)
    return kept


def test_upper_hulls_match_the_monotone_chain():
    from course_lib.fairness.postprocessing import _upper_hulls

    rng = np.random.default_rng(9)
    m = 3000
    # A long concave run ending below a high point: the case that needs the
    # far-partner rounds (plain neighbour rounds would remove one per round).
    concave = np.sqrt(np.linspace(0, 0.9, m)) * 0.5
    cases = [
        (np.r_[np.linspace(0, 0.9, m), 1.0], np.r_[concave, 1.0]),
        (np.linspace(0, 1, 50), np.round(rng.random(50), 1)),  # ties, collinear
        (np.linspace(0, 1, 7), np.linspace(0, 1, 7)),  # all collinear
        (
            np.r_[0.0, 0.0, np.sort(rng.random(500)), 1.0],
            np.r_[0.0, 0.3, rng.random(500), 1.0],
        ),  # two points at x = 0
    ]
    for x, y in cases:
        order = np.lexsort((y, x))
        x, y = x[order], y[order]
        group = np.zeros(len(x), dtype=np.intp)
        expected = _monotone_chain(x, y)
        np.testing.assert_array_equal(_upper_hulls(group, x, y), expected)
        # Several groups at once give each group its own hull.
        both = _upper_hulls(np.r_[group, group + 1], np.r_[x, x], np.r_[y, y])
        np.testing.assert_array_equal(both, np.r_[expected, np.add(expected, len(x))])


# --------------------------------------------------------------------------
# ThresholdOptimizer errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"estimator": None}, ValueError, "estimator must be"),
        ({"constraints": "parity"}, ValueError, "constraints must be one of"),
        (
            {"constraints": "equalized_odds", "objective": "selection_rate"},
            ValueError,
            "objective must be one of",
        ),
        ({"objective": "f1"}, ValueError, "objective must be one of"),
        ({"grid_size": 0}, ValueError, "grid_size must be at least 1"),
        ({"grid_size": 2.5}, TypeError, "grid_size must be an int"),
        ({"predict_method": "proba"}, ValueError, "predict_method must be one of"),
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


# --------------------------------------------------------------------------
# group_thresholds and threshold_sweep
# --------------------------------------------------------------------------


def test_group_thresholds():
    scores = np.array([0.1, 0.5, 0.5, 0.9, 0.3, 0.7])
    sf = ["a", "a", "a", "b", "b", "b"]
    out = group_thresholds(
        scores, sensitive_features=sf, thresholds={"a": 0.5, "b": 0.8}
    )
    np.testing.assert_array_equal(out, [0, 1, 1, 1, 0, 0])
    two = pd.DataFrame({"g": sf, "h": ["x", "y"] * 3})
    th = {("a", "x"): 0.0, ("a", "y"): 1.0, ("b", "x"): 0.95, ("b", "y"): 0.5}
    np.testing.assert_array_equal(
        group_thresholds(scores, sensitive_features=two, thresholds=th),
        [1, 0, 1, 1, 0, 1],
    )
    with pytest.raises(ValueError, match="key for every group"):
        group_thresholds(scores, sensitive_features=sf, thresholds={"a": 0.5})
    with pytest.raises(TypeError, match="thresholds must be a mapping"):
        group_thresholds(scores, sensitive_features=sf, thresholds=[0.5, 0.5])
    with pytest.raises(ValueError, match="must not be NaN"):
        group_thresholds(
            scores, sensitive_features=sf, thresholds={"a": 1, "b": np.nan}
        )
    with pytest.raises(ValueError, match="scores must be finite"):
        group_thresholds(
            [np.inf] * 6, sensitive_features=sf, thresholds={"a": 1, "b": 1}
        )


def test_threshold_sweep_matches_roc_curve(adult):
    scores = adult["model"].predict_proba(adult["X"])[:, 1]
    sweep = threshold_sweep(adult["y"], scores, sensitive_features=adult["sf"])
    for sex, part in sweep.groupby("sex", observed=True):
        mask = (adult["sf"] == sex).to_numpy()
        fpr, tpr, thr = roc_curve(
            adult["y"][mask], scores[mask], drop_intermediate=False
        )
        np.testing.assert_allclose(part["fpr"], fpr, atol=1e-12)
        np.testing.assert_allclose(part["tpr"], tpr, atol=1e-12)
        np.testing.assert_allclose(part["threshold"].to_numpy()[1:], thr[1:])
        assert (
            part["selection_rate"].iloc[0] == 0 and part["selection_rate"].iloc[-1] == 1
        )


def test_threshold_sweep_given_thresholds_brute_force():
    data = _synthetic(2, n=500, ties=True)
    s, y, sf = data["X"][:, 0], data["y"], data["sf"]
    w = np.random.default_rng(0).random(len(y))
    grid = np.array([-1.0, 0.3, 0.0, 2.0, 0.5, -np.inf, np.inf])
    sweep = threshold_sweep(
        y, s, sensitive_features=sf, thresholds=grid, sample_weight=w
    )
    assert len(sweep) == 3 * len(grid)
    for _, row in sweep.iterrows():  # brute force, one threshold at a time
        m = sf == row["sensitive_feature_0"]
        sel = s[m] >= row["threshold"]
        wm, ym = w[m], y[m]
        assert row["selection_rate"] == pytest.approx(wm[sel].sum() / wm.sum())
        assert row["tpr"] == pytest.approx(
            wm[sel & (ym == 1)].sum() / wm[ym == 1].sum()
        )
        assert row["fpr"] == pytest.approx(
            wm[sel & (ym == 0)].sum() / wm[ym == 0].sum()
        )
    assert list(sweep["threshold"][:3]) == [np.inf, 2.0, 0.5]


def test_threshold_sweep_nan_and_errors():
    sweep = threshold_sweep(
        [1, 1, 0], [0.2, 0.4, 0.3], sensitive_features=["a", "a", "b"]
    )
    assert sweep.loc[sweep["sensitive_feature_0"] == "a", "fpr"].isna().all()
    assert sweep.loc[sweep["sensitive_feature_0"] == "b", "tpr"].isna().all()
    with pytest.raises(ValueError, match="only the labels 0 and 1"):
        threshold_sweep([2, 1], [0.1, 0.2], sensitive_features=["a", "a"])
    with pytest.raises(ValueError, match="scores must have length 2"):
        threshold_sweep([0, 1], [0.1], sensitive_features=["a", "a"])
    with pytest.raises(ValueError, match="thresholds must not contain NaN"):
        threshold_sweep(
            [0, 1], [0.1, 0.2], sensitive_features=["a", "a"], thresholds=[np.nan]
        )
    with pytest.raises(ValueError, match="thresholds must be 1-D"):
        threshold_sweep(
            [0, 1], [0.1, 0.2], sensitive_features=["a", "a"], thresholds=0.5
        )


# --------------------------------------------------------------------------
# Bolt-on randomisation
# --------------------------------------------------------------------------


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
    with pytest.raises(ValueError, match="p must be in"):
        bolt_on_randomization(y_pred, sensitive_features=sf, group="a", p=1.5)
    with pytest.raises(TypeError, match="p must be a number"):
        bolt_on_randomization(y_pred, sensitive_features=sf, group="a", p="half")
    with pytest.raises(ValueError, match="replacement_rate must be in"):
        bolt_on_randomization(
            y_pred, sensitive_features=sf, group="a", p=0.5, replacement_rate=-0.1
        )
    with pytest.raises(ValueError, match="y_pred must contain only the labels"):
        bolt_on_randomization(y_pred + 1, sensitive_features=sf, group="a", p=0.5)
    with pytest.raises(ValueError, match="metric must be one of"):
        bolt_on_frontier(
            y, y_pred, sensitive_features=sf, group="a", ps=[0.5], metric="ppv"
        )
    with pytest.raises(ValueError, match="ps must lie in"):
        bolt_on_frontier(y, y_pred, sensitive_features=sf, group="a", ps=[0.5, 2.0])
    with pytest.raises(ValueError, match="y_true must have length"):
        bolt_on_frontier(y[:-1], y_pred, sensitive_features=sf, group="a", ps=[0.5])
