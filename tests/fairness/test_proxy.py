"""Tests for course_lib.fairness._proxy (proxy detection).

Real-data checks use a fixed 10,000-row sample of Adult (all 48,842 rows give
the same AUC to within 0.003 but take three times as long) and all 7,214 rows
of COMPAS (``load_compas(filter=None)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mutual_info_score, roc_auc_score
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from course_lib.datasets import load_adult, load_compas
from course_lib.fairness import (
    default_proxy_estimator,
    feature_proxy_scores,
    proxy_strength,
)

# Race-blind, sex-blind Adult features (the label and split left out too).
ADULT_DROP = ["race", "sex", "income", "split"]
COMPAS_FEATURES = [
    "sex",
    "age",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "c_charge_degree",
    "decile_score",
    "two_year_recid",
]
# A shuffled attribute has no proxy: the cross-validated AUC is 0.5 up to noise.
# Each of the 5 test folds of the Adult sample has ~2,000 rows (1/3 women), so
# the AUC of one fold has standard error sqrt((n0 + n1 + 1) / (12 n0 n1)) ~
# 0.014 and the mean over folds ~ 0.006; 0.03 is about five standard errors.
NULL_TOL = 0.03


@pytest.fixture(scope="module")
def adult_sample():
    df = load_adult(split="all").sample(10_000, random_state=0)
    return df.drop(columns=ADULT_DROP), df["sex"]


@pytest.fixture(scope="module")
def compas():
    df = load_compas(filter=None)
    return df[COMPAS_FEATURES], df["race"]


def test_adult_race_blind_features_predict_sex(adult_sample):
    X, sex = adult_sample
    result = proxy_strength(X, sex, random_state=0)
    # Measured: AUC 0.928, balanced accuracy 0.832 (0.931 / 0.834 on all rows).
    assert result["auc"] > 0.8
    assert result["balanced_accuracy"] > 0.75
    assert result["groups"] == ["Female", "Male"]
    assert result["n_groups"] == 2 and result["n_features"] == 12
    assert result["chance_auc"] == 0.5 and result["chance_balanced_accuracy"] == 0.5
    assert 0 <= result["auc_std"] < 0.05
    assert result["cv"] == 5


def test_adult_shuffled_sex_is_at_chance(adult_sample):
    X, sex = adult_sample
    shuffled = np.random.default_rng(1).permutation(sex.to_numpy())
    result = proxy_strength(X, shuffled, random_state=0)
    # Measured: AUC 0.511, balanced accuracy 0.500.
    assert abs(result["auc"] - 0.5) < NULL_TOL
    assert abs(result["balanced_accuracy"] - 0.5) < NULL_TOL


def test_compas_race_from_other_features(compas):
    X, race = compas
    black = proxy_strength(X, race == "African-American", random_state=0)
    # Measured: AUC 0.693, balanced accuracy 0.641.
    assert black["auc"] > 0.65
    assert black["balanced_accuracy"] > 0.6
    shuffled = np.random.default_rng(2).permutation(race == "African-American")
    null = proxy_strength(X, shuffled, random_state=0)
    assert abs(null["auc"] - 0.5) < NULL_TOL
    # All six groups, one-vs-rest macro AUC. Measured 0.635 (cv=3).
    multi = proxy_strength(X, race, cv=3, random_state=0)
    assert multi["n_groups"] == 6
    assert multi["chance_balanced_accuracy"] == pytest.approx(1 / 6)
    assert multi["auc"] > 0.58
    assert multi["balanced_accuracy"] > 1 / 6


def test_column_name_is_taken_out_of_x():
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {
            "group": rng.choice(["a", "b"], n),
            "noise": rng.normal(size=n),
            "cat": rng.choice(["x", "y", "z"], n),
        }
    )
    by_name = proxy_strength(df, "group", random_state=0)
    by_values = proxy_strength(df.drop(columns="group"), df["group"], random_state=0)
    assert by_name == by_values
    assert by_name["n_features"] == 2
    # Pure noise: no leak of the group column into the features.
    assert abs(by_name["auc"] - 0.5) < 0.15


def test_random_state_makes_folds_reproducible():
    rng = np.random.default_rng(3)
    group = rng.integers(0, 2, 200)
    X = np.column_stack([group + rng.normal(0, 1.5, 200), rng.normal(size=200)])
    first = proxy_strength(X, group, random_state=7)
    assert first == proxy_strength(X, group, random_state=7)
    assert first["auc"] != proxy_strength(X, group, random_state=8)["auc"]


def test_custom_estimator_and_missing_categories():
    rng = np.random.default_rng(4)
    n = 600
    group = rng.integers(0, 2, n)
    # An interaction a linear model cannot use but a tree can.
    u = rng.integers(0, 2, n)
    v = np.where(rng.random(n) < 0.9, u ^ group, 1 - (u ^ group))
    X = pd.DataFrame({"u": u, "v": v})
    linear = proxy_strength(X, group, random_state=0)
    tree = proxy_strength(
        X, group, estimator=DecisionTreeClassifier(max_depth=2), random_state=0
    )
    assert abs(linear["auc"] - 0.5) < 0.1
    assert tree["auc"] > 0.85
    # Missing values in a categorical column form their own category.
    cat = pd.Series(np.where(group == 1, None, "k"), dtype=object)
    result = proxy_strength(pd.DataFrame({"cat": cat}), group, random_state=0)
    assert result["auc"] == 1.0


def test_default_estimator_pipeline():
    X = pd.DataFrame(
        {"n": [1.0, 2.0], "b": [True, False], "s": ["a", "b"], "c": ["u", "v"]}
    ).astype({"c": "category"})
    pipe = default_proxy_estimator(X)
    encode = pipe.steps[0][1]
    assert encode.transformers[0][2] == ["n", "b"]
    assert encode.transformers[1][2] == ["s", "c"]


# --------------------------------------------------------------------------
# feature_proxy_scores
# --------------------------------------------------------------------------


def test_feature_scores_on_adult(adult_sample):
    X, sex = adult_sample
    scores = feature_proxy_scores(X, sex)
    assert list(scores.columns) == [
        "mutual_information",
        "normalized_mi",
        "auc",
        "n_values",
    ]
    assert scores.index.name == "feature"
    assert set(scores.index) == set(X.columns)
    # "Husband"/"Wife" make relationship the strongest single proxy for sex.
    assert scores.index[0] == "relationship"
    assert scores.loc["relationship", "auc"] > 0.8
    assert scores["mutual_information"].is_monotonic_decreasing
    assert ((scores["normalized_mi"] >= 0) & (scores["normalized_mi"] <= 1)).all()
    assert (scores["auc"] >= 0.5 - 1e-12).all()
    # capital_gain is 0 for ~92% of rows: one spike bin plus the positive bins.
    assert scores.loc["capital_gain", "n_values"] >= 2


def test_feature_scores_match_sklearn_plug_in_estimates():
    rng = np.random.default_rng(5)
    n = 2_000
    a = rng.choice(["p", "q", "r"], n, p=[0.5, 0.3, 0.2])
    cat = np.where(rng.random(n) < 0.6, a, rng.choice(["p", "q", "r", "s"], n))
    small_int = rng.integers(0, 4, n) + (a == "p")
    X = pd.DataFrame({"cat": cat, "small_int": small_int})
    scores = feature_proxy_scores(X, a)
    for name in X.columns:
        mi = mutual_info_score(a, X[name])
        assert scores.loc[name, "mutual_information"] == pytest.approx(mi, abs=1e-12)
        h = mutual_info_score(a, a)
        assert scores.loc[name, "normalized_mi"] == pytest.approx(mi / h, abs=1e-12)
        # Reference AUC: score = P(A = a | value), from a crosstab.
        table = pd.crosstab(X[name], a, normalize="index")
        probs = table.loc[X[name]].to_numpy()
        auc = roc_auc_score(a, probs, multi_class="ovr", average="macro")
        assert scores.loc[name, "auc"] == pytest.approx(auc, abs=1e-12)
        assert scores.loc[name, "n_values"] == X[name].nunique()


def test_feature_scores_binary_and_binning():
    rng = np.random.default_rng(6)
    n = 5_000
    a = rng.integers(0, 2, n)
    x = rng.normal(size=n) + 2 * a  # many distinct values: 10 quantile bins
    X = pd.DataFrame({"x": x, "indep": rng.normal(size=n)})
    scores = feature_proxy_scores(X, a)
    assert scores.loc["x", "n_values"] == 10
    binned = pd.qcut(x, 10, labels=False)
    assert scores.loc["x", "mutual_information"] == pytest.approx(
        mutual_info_score(a, binned), abs=1e-12
    )
    # Binned at deciles, x still separates the groups almost as well as raw x.
    assert scores.loc["x", "auc"] > roc_auc_score(a, x) - 0.02
    assert scores.loc["indep", "normalized_mi"] < 0.01
    assert scores.index[0] == "x"


def test_feature_scores_exact_independence_and_missing_values():
    # Every (feature value, group) cell equally often: MI exactly 0, AUC 0.5.
    a = np.array([0, 1] * 6)
    feat = pd.Series(["u", "u", "v", "v", None, None] * 2, dtype=object)
    num = np.array([1.0, 1.0, np.nan, np.nan, 2.0, 2.0] * 2)
    scores = feature_proxy_scores(pd.DataFrame({"f": feat, "g": num}), a)
    assert (scores["mutual_information"] == 0).all()
    assert (scores["auc"] == 0.5).all()
    assert (scores["n_values"] == 3).all()  # missing counts as a value


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

X_SMALL = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "s": ["a", "b", "a", "b"]})


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: proxy_strength(np.arange(4), [0, 1, 0, 1]),
            ValueError,
            r"X must be a 2-D array-like or DataFrame; got shape \(4,\)",
        ),
        (
            lambda: proxy_strength(X_SMALL, "missing"),
            ValueError,
            r"sensitive_feature must be a column of X or an array-like; got the "
            r"name 'missing'",
        ),
        (
            lambda: proxy_strength(X_SMALL, [0, 1]),
            ValueError,
            r"one value per row of X \(4\); got 2",
        ),
        (
            lambda: proxy_strength(X_SMALL, np.zeros((4, 2))),
            ValueError,
            r"sensitive_feature must be 1-D \(one attribute\); got shape \(4, 2\)",
        ),
        (
            lambda: proxy_strength(X_SMALL, X_SMALL),
            ValueError,
            r"must be 1-D \(one attribute\); got a DataFrame",
        ),
        (
            lambda: proxy_strength(X_SMALL, ["a", None, "b", "a"]),
            ValueError,
            r"sensitive_feature must not contain missing values; got 1 missing",
        ),
        (
            lambda: feature_proxy_scores(X_SMALL, ["a"] * 4),
            ValueError,
            r"sensitive_feature must take at least two values; got 1",
        ),
        (
            lambda: proxy_strength(X_SMALL[["s"]], "s"),
            ValueError,
            r"X must have at least one feature besides the sensitive one",
        ),
        (
            lambda: proxy_strength(X_SMALL, "s", cv=1),
            ValueError,
            r"cv must be an integer >= 2; got 1",
        ),
        (
            lambda: proxy_strength(X_SMALL, "s", cv=True),
            TypeError,
            r"cv must be an integer; got bool",
        ),
        (
            lambda: proxy_strength(X_SMALL, "s", cv=3),
            ValueError,
            r"at least cv=3 rows for stratified folds; got 2 for 'a'",
        ),
        (
            lambda: proxy_strength(
                pd.DataFrame({"d": pd.date_range("2020-01-01", periods=4)}),
                [0, 1, 0, 1],
                cv=2,
            ),
            TypeError,
            r"X column 'd' must be numeric, boolean or categorical .*got "
            r"datetime64",
        ),
        (
            lambda: proxy_strength(X_SMALL, "s", cv=2, estimator=LinearSVC()),
            TypeError,
            r"estimator must be a classifier with predict_proba; got LinearSVC",
        ),
        (
            lambda: proxy_strength(pd.DataFrame({"x": []}), []),
            ValueError,
            r"X must have at least one row; got 0",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
