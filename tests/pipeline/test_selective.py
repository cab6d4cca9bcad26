"""Tests for course_lib.pipeline's selective labels.

The German-credit table is the design's section 1.4: a staged lender that
approved everyone but the applicants with an overdrawn checking account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from course_lib.datasets import load_german
from course_lib.pipeline import (
    SelectiveLabelsResult,
    default_selective_estimator,
    selective_labels_experiment,
    selective_rates,
)

# ------------------------------------------------------------ selective_rates

# Eight rows, two groups; group b's observed rows lack a positive label.
Y = [0, 0, 1, 1, 0, 0, 1, 1]
PRED = [1, 0, 1, 0, 1, 1, 1, 0]
OBSERVED = [True, True, True, False, False, True, False, False]
GROUPS = ["a", "a", "a", "a", "b", "b", "b", "b"]


def test_hand_case():
    table = selective_rates(Y, PRED, observed=OBSERVED, sensitive_features=GROUPS)
    assert list(table.columns) == [
        "fpr_observed",
        "fpr_all",
        "fnr_observed",
        "fnr_all",
        "selection_observed",
        "selection_all",
    ]
    assert list(table.index) == ["a", "b"]
    a, b = table.loc["a"], table.loc["b"]
    # a observed: y 0,0,1 pred 1,0,1 -> FPR 1/2, FNR 0/1, selection 2/3.
    assert (a["fpr_observed"], a["fnr_observed"]) == (0.5, 0.0)
    assert a["selection_observed"] == pytest.approx(2 / 3)
    # a all: FPR 1/2, FNR 1/2, selection 2/4.
    assert (a["fpr_all"], a["fnr_all"], a["selection_all"]) == (0.5, 0.5, 0.5)
    # b observed: one row, y 0 pred 1 -> FPR 1, FNR undefined.
    assert b["fpr_observed"] == 1.0 and np.isnan(b["fnr_observed"])
    assert (b["fpr_all"], b["fnr_all"], b["selection_all"]) == (1.0, 0.5, 0.75)


def test_everything_observed_gives_equal_columns():
    rng = np.random.default_rng(3)
    y, pred = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    groups = rng.choice(["x", "y", "z"], 200)
    table = selective_rates(
        y, pred, observed=np.ones(200, bool), sensitive_features=groups
    )
    for rate in ("fpr", "fnr", "selection"):
        assert table[f"{rate}_observed"].tolist() == table[f"{rate}_all"].tolist()


def test_a_group_without_observed_rows_is_nan():
    table = selective_rates(
        Y, PRED, observed=[True] * 4 + [False] * 4, sensitive_features=GROUPS
    )
    assert (
        table.loc["b", ["fpr_observed", "fnr_observed", "selection_observed"]]
        .isna()
        .all()
    )
    assert not table.loc["b", ["fpr_all", "fnr_all"]].isna().any()
    nothing = selective_rates(Y, PRED, observed=[False] * 8, sensitive_features=GROUPS)
    assert nothing["fpr_observed"].isna().all()


def test_series_groups_keep_their_name_and_positions():
    groups = pd.Series(GROUPS, index=range(10, 18), name="band")
    table = selective_rates(Y, PRED, observed=OBSERVED, sensitive_features=groups)
    assert table.index.name == "band"
    assert table.loc["a", "fpr_observed"] == 0.5


def test_lengths_must_match():
    with pytest.raises(
        ValueError, match="observed must be 1-D with 8 values; got shape"
    ):
        selective_rates(Y, PRED, observed=OBSERVED[:-1], sensitive_features=GROUPS)
    with pytest.raises(ValueError, match="same length"):
        selective_rates(Y[:-1], PRED, observed=OBSERVED, sensitive_features=GROUPS)
    with pytest.raises(ValueError, match="observed must hold booleans"):
        selective_rates(Y, PRED, observed=[2] * 8, sensitive_features=GROUPS)


# ------------------------------------------------- selective_labels_experiment


@pytest.fixture(scope="module")
def german():
    g = load_german()
    y = (g["credit"] == "bad").astype(int).to_numpy()
    X = pd.get_dummies(g.drop(columns=["credit", "status_sex"]), drop_first=True)
    approved = (g["status"] != "... < 0 DM").to_numpy()
    return X.astype(float), y, approved, (g["age"] < 25).to_numpy()


@pytest.fixture(scope="module")
def default_result(german):
    X, y, approved, young = german
    return selective_labels_experiment(
        X, y, approved, sensitive_features=young, threshold=0.3, random_state=0
    )


def test_the_staged_lender(german):
    _, y, approved, young = german
    assert approved.sum() == 726 and (~approved).sum() == 274
    assert (
        round(y[approved].mean(), 3) == 0.227 and round(y[~approved].mean(), 3) == 0.493
    )
    assert round(1 - approved[young].mean(), 2) == 0.38
    assert round(1 - approved[~young].mean(), 2) == 0.25


def test_design_table_with_the_designs_preprocessing(german):
    """The design's numbers: features standardised once on all rows, plain LR."""
    X, y, approved, young = german
    Z = X.to_numpy()
    Z = Z[:, Z.std(0) > 0]
    Z = (Z - Z.mean(0)) / Z.std(0)
    result = selective_labels_experiment(
        Z,
        y,
        approved,
        sensitive_features=young,
        estimator=LogisticRegression(C=0.1, max_iter=2000),
        threshold=0.3,
        n_splits=10,
        random_state=0,
    )
    s = result.summary
    expected = {
        ("mean_predicted_rejected", "selected_only"): 0.274,
        ("mean_predicted_rejected", "all_labels"): 0.475,
        ("mean_predicted_rejected", "truth"): 0.493,
        ("mean_predicted_approved", "selected_only"): 0.226,
        ("mean_predicted_approved", "truth"): 0.227,
        ("auc_approved", "selected_only"): 0.771,
        ("auc_all", "selected_only"): 0.746,
        ("auc_all", "all_labels"): 0.785,
        ("fpr_difference_approved", "selected_only"): 0.103,
        ("fpr_difference_approved", "all_labels"): 0.079,
        ("fpr_difference_all", "selected_only"): 0.174,
        ("fpr_difference_all", "all_labels"): 0.165,
    }
    for (row, column), value in expected.items():
        assert s.loc[row, column] == pytest.approx(value, abs=5e-4), (row, column)


def test_default_estimator_table(default_result):
    """Scaler fitted inside each fold (what the library does by default)."""
    s = default_result.summary
    expected = {
        ("mean_predicted_rejected", "selected_only"): 0.2802,
        ("mean_predicted_rejected", "all_labels"): 0.4753,
        ("mean_predicted_approved", "selected_only"): 0.2258,
        ("auc_approved", "selected_only"): 0.7710,
        ("auc_all", "selected_only"): 0.7472,
        ("auc_all", "all_labels"): 0.7850,
        ("fpr_difference_approved", "selected_only"): 0.0970,
        ("fpr_difference_approved", "all_labels"): 0.0791,
        ("fpr_difference_all", "selected_only"): 0.1676,
        ("fpr_difference_all", "all_labels"): 0.1655,
    }
    for (row, column), value in expected.items():
        assert s.loc[row, column] == pytest.approx(value, abs=1e-4), (row, column)
    assert s["truth"].notna().sum() == 2
    # The chapter's claims hold either way.
    assert (
        s.loc["mean_predicted_rejected", "selected_only"]
        < 0.6 * s.loc["mean_predicted_rejected", "truth"]
    )
    assert s.loc["auc_approved", "selected_only"] > s.loc["auc_all", "selected_only"]
    assert (
        s.loc["fpr_difference_approved", "selected_only"]
        < s.loc["fpr_difference_all", "selected_only"]
    )


def test_result_structure(german, default_result):
    X, y, approved, young = german
    r = default_result
    assert isinstance(r, SelectiveLabelsResult)
    assert list(r.predictions.columns) == ["selected_only", "all_labels"]
    assert r.predictions.index.equals(X.index)
    assert r.predictions.to_numpy().min() > 0 and r.predictions.to_numpy().max() < 1
    assert r.rates.index.names[0] == "model" and r.rates.index.nlevels == 2
    assert list(r.rates.index.get_level_values(0).unique()) == [
        "selected_only",
        "all_labels",
    ]
    # The rates are selective_rates of the thresholded predictions.
    again = selective_rates(
        y,
        (r.predictions["selected_only"] >= 0.3).astype(int),
        observed=approved,
        sensitive_features=young,
    )
    pd.testing.assert_frame_equal(r.rates.loc["selected_only"], again)
    gap = r.rates.loc["selected_only", "fpr_observed"]
    assert (
        r.summary.loc["fpr_difference_approved", "selected_only"]
        == gap.max() - gap.min()
    )


def test_repeatable(german, default_result):
    X, y, approved, young = german
    again = selective_labels_experiment(
        X, y, approved, sensitive_features=young, threshold=0.3, random_state=0
    )
    pd.testing.assert_frame_equal(again.predictions, default_result.predictions)
    pd.testing.assert_frame_equal(again.summary, default_result.summary)


class _Spy(LogisticRegression):
    """A logistic regression that records the first column of every fit (row ids)."""

    fits: list = []  # noqa: RUF012 (shared on purpose: clone() makes new objects)

    def fit(self, X, y):
        _Spy.fits.append(np.asarray(X)[:, 0].copy())
        return super().fit(X, y)


def test_each_model_is_fitted_on_the_right_rows():
    rng = np.random.default_rng(0)
    n = 120
    ids = np.arange(n, dtype=float)  # first column: the row's id
    X = np.column_stack([ids, rng.normal(size=n)])
    y = (X[:, 1] + rng.normal(size=n) > 0).astype(int)
    approved = rng.random(n) < 0.7
    _Spy.fits = []
    selective_labels_experiment(X, y, approved, estimator=_Spy(), n_splits=4)
    assert len(_Spy.fits) == 8
    selected, everyone = _Spy.fits[0::2], _Spy.fits[1::2]
    seen_sel = np.concatenate(selected).astype(int)
    # Each approved row is in the training folds of 3 of the 4 selected-only
    # fits; no rejected row is ever used by them.
    assert approved[seen_sel].all()
    assert np.bincount(seen_sel, minlength=n)[approved].tolist() == [3] * approved.sum()
    seen_all = np.concatenate(everyone).astype(int)
    assert np.bincount(seen_all, minlength=n).tolist() == [3] * n
    for sel, full in zip(selected, everyone, strict=True):
        assert set(sel) == {i for i in full if approved[int(i)]}


def test_constant_column_among_the_approved_is_dropped_not_fatal():
    rng = np.random.default_rng(1)
    n = 300
    overdrawn = rng.random(n) < 0.3
    y = (rng.random(n) < np.where(overdrawn, 0.6, 0.2)).astype(int)
    X = np.column_stack([overdrawn.astype(float), rng.normal(size=n)])
    # The estimator that would fail on a constant column: LinearSVC has no
    # predict_proba, so use a plain logistic regression without a scaler.
    result = selective_labels_experiment(
        X, y, ~overdrawn, estimator=LogisticRegression(), n_splits=5
    )
    s = result.summary
    # Never having seen an overdrawn applicant, the model gives them the
    # approved applicants' rate; the all-labels model learns the difference.
    assert s.loc["mean_predicted_rejected", "selected_only"] < 0.3
    assert s.loc["mean_predicted_rejected", "all_labels"] > 0.45


def test_without_groups_no_rates():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] > 0).astype(int)
    result = selective_labels_experiment(X, y, X[:, 1] < 1, n_splits=3)
    assert result.rates is None
    assert list(result.summary.index) == [
        "mean_predicted_rejected",
        "mean_predicted_approved",
        "auc_approved",
        "auc_all",
    ]


def test_default_estimator():
    model = default_selective_estimator()
    assert model.steps[1][1].C == 0.1


@pytest.mark.parametrize("approved", [np.ones(50, bool), np.zeros(50, bool)])
def test_approved_needs_both_values(approved):
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = np.arange(50) % 2
    with pytest.raises(
        ValueError,
        match=f"approved must contain both True and False; got only {approved[0]}",
    ):
        selective_labels_experiment(X, y, approved)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"threshold": 1.0},
            ValueError,
            r"threshold must be a finite number in \(0, 1\); got 1.0",
        ),
        (
            {"threshold": 0},
            ValueError,
            r"threshold must be a finite number in \(0, 1\); got 0",
        ),
        ({"threshold": "0.5"}, TypeError, "threshold must be a real number; got str"),
        ({"n_splits": 1}, ValueError, "n_splits must be an integer >= 2; got 1"),
        (
            {"estimator": LinearSVC()},
            TypeError,
            "estimator must have predict_proba; got LinearSVC",
        ),
        (
            {"sensitive_features": [0, 1]},
            ValueError,
            "sensitive_features must have one value per row",
        ),
    ],
)
def test_arguments_are_checked(kwargs, error, message):
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = np.arange(50) % 2
    with pytest.raises(error, match=message):
        selective_labels_experiment(X, y, np.arange(50) < 40, **kwargs)


def test_inputs_are_checked():
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = np.arange(50) % 2
    approved = np.arange(50) < 40
    with pytest.raises(TypeError, match="X must be numeric"):
        selective_labels_experiment(np.array([["a", "b"]] * 50), y, approved)
    with pytest.raises(ValueError, match="X must be finite; got NaN or infinite"):
        selective_labels_experiment(np.full((50, 2), np.nan), y, approved)
    with pytest.raises(ValueError, match="y must be 1-D with one value per row of X"):
        selective_labels_experiment(X, y[:-1], approved)
    with pytest.raises(ValueError, match="y must hold booleans"):
        selective_labels_experiment(X, y + 1, approved)
    with pytest.raises(ValueError, match="approved must be 1-D with 50 values"):
        selective_labels_experiment(X, y, approved[:-1])
