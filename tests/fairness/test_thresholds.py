"""Tests for course_lib.fairness._thresholds (group thresholds, ROC sweeps).

Data: tests/fairness/postprocessing_data.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_curve

from course_lib.fairness import group_thresholds, threshold_sweep

from .postprocessing_data import adult_data
from .postprocessing_data import synthetic_data as _synthetic


@pytest.fixture(scope="module")
def adult() -> dict:
    return adult_data()


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
