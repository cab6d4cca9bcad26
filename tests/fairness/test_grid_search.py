"""Tests for course_lib.fairness._grid_search, cross-checked against fairlearn 0.15.

Data and helpers: tests/fairness/reductions_data.py.

scikit-learn's ``check_estimator`` does not apply: both estimators need
``sensitive_features`` in ``fit`` and wrap a base estimator, so the generic
checks (which call ``fit(X, y)``) cannot run; cloning and parameters are tested
directly instead.
"""

from __future__ import annotations

import fairlearn.reductions as flr
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

import course_lib.fairness as cr

from .reductions_data import adult_subsample
from .reductions_data import fit_fairlearn as _fairlearn
from .reductions_data import lr as _lr


@pytest.fixture(scope="module")
def data() -> dict:
    return adult_subsample()


# --------------------------------------------------------------------------
# GridSearch
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "grid_size"), [("DemographicParity", 10), ("EqualizedOdds", 9)]
)
def test_grid_search_matches_fairlearn(data, name, grid_size):
    X, y, s = data["X"][:3000], data["y"][:3000], data["s"][:3000]
    ours = cr.GridSearch(_lr(), getattr(cr, name)(), grid_size=grid_size)
    ours.fit(X, y, sensitive_features=s)
    theirs = flr.GridSearch(_lr(), getattr(flr, name)(), grid_size=grid_size)
    _fairlearn(theirs, X, y, sensitive_features=s)
    assert list(ours.lambda_vecs_.index) == list(theirs.lambda_vecs_.index)
    np.testing.assert_allclose(
        ours.lambda_vecs_.to_numpy(), theirs.lambda_vecs_.to_numpy(), atol=0
    )
    np.testing.assert_allclose(ours.objectives_, theirs.objectives_, atol=0.003)
    np.testing.assert_allclose(
        ours.gammas_.to_numpy(), theirs.gammas_.to_numpy(), atol=0.005
    )
    assert len(ours.predictors_) == grid_size
    np.testing.assert_array_equal(
        ours.predict(X), ours.predictors_[ours.best_idx_].predict(X)
    )
    assert ours.predict_proba(X).shape == (3000, 2)


def test_grid_search_tree_exact(data):
    X, y, s = data["X"][:2000], data["y"][:2000], data["s"][:2000]
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    ours = cr.GridSearch(tree, cr.EqualizedOdds(), grid_size=6).fit(
        X, y, sensitive_features=s
    )
    theirs = _fairlearn(
        flr.GridSearch(tree, flr.EqualizedOdds(), grid_size=6),
        X,
        y,
        sensitive_features=s,
    )
    np.testing.assert_allclose(ours.objectives_, theirs.objectives_, atol=1e-12)
    np.testing.assert_allclose(
        ours.gammas_.to_numpy(), theirs.gammas_.to_numpy(), atol=1e-12
    )
    assert ours.best_idx_ == theirs.best_idx_


# --------------------------------------------------------------------------
# scikit-learn conventions and errors
# --------------------------------------------------------------------------


def test_clone_and_params():
    gs = clone(cr.GridSearch(_lr(), cr.DemographicParity(), grid_size=4))
    assert gs.get_params()["grid_size"] == 4


def test_errors(data):
    X, y, s = data["X"][:500], data["y"][:500], data["s"][:500]
    dp = cr.DemographicParity()
    with pytest.raises(TypeError, match="estimator must accept 'sample_weight'"):
        cr.GridSearch(KNeighborsClassifier(), dp).fit(X, y, sensitive_features=s)
    with pytest.raises(
        ValueError,
        match=r"constraint_weight must be a finite number in \[0, 1\]; got 2",
    ):
        cr.GridSearch(_lr(), dp, constraint_weight=2).fit(X, y, sensitive_features=s)
    with pytest.raises(ValueError, match="selection_rule must be"):
        cr.GridSearch(_lr(), dp, selection_rule="x").fit(X, y, sensitive_features=s)
    with pytest.raises(NotFittedError):
        cr.GridSearch(_lr(), dp).predict(X)
    with pytest.raises(TypeError, match="grid_size must be an integer; got float"):
        cr.GridSearch(_lr(), dp, grid_size=2.5).fit(X, y, sensitive_features=s)
    with pytest.raises(ValueError, match="grid_limit must be a finite number > 0"):
        cr.GridSearch(_lr(), dp, grid_limit=0).fit(X, y, sensitive_features=s)
