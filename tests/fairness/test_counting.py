"""Tests for course_lib.fairness._counting, the counting engine of the metrics.

The metrics built on it are checked against fairlearn in test_metrics.py; these
tests pin the engine's own contract: how sensitive features become named
columns and group codes, and that the tally is the per-group confusion matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_lib.fairness._counting import (
    RATE_FORMULAS,
    feature_columns,
    group_codes,
    group_index,
    rate,
    tally,
)


@pytest.mark.parametrize(
    ("sf", "names"),
    [
        (["a", "b", "a"], ["sensitive_feature_0"]),
        (np.array([1, 2, 1]), ["sensitive_feature_0"]),
        (
            np.array([[1, 0], [2, 0], [1, 1]]),
            ["sensitive_feature_0", "sensitive_feature_1"],
        ),
        (pd.Series(["a", "b", "a"], name="sex"), ["sex"]),
        (pd.Series(["a", "b", "a"]), ["sensitive_feature_0"]),
        (pd.DataFrame({"sex": ["a", "b", "a"], "race": [1, 2, 3]}), ["sex", "race"]),
        ({"sex": ["a", "b", "a"], "race": [1, 2, 3]}, ["sex", "race"]),
    ],
)
def test_feature_columns_names_every_kind_of_input(sf, names):
    columns = feature_columns(sf, 3)
    assert [name for name, _ in columns] == names
    assert all(len(values) == 3 for _, values in columns)


@pytest.mark.parametrize(
    ("sf", "error", "match"),
    [
        (None, TypeError, "sensitive_features must be array-like"),
        ([["a"], ["b"], ["a"]], ValueError, "must be a flat list of scalars"),
        (np.zeros((3, 1, 1)), ValueError, r"must be 1-D or 2-D; got an array of shape"),
        (pd.DataFrame(index=range(3)), ValueError, "at least one column; got 0"),
        (pd.DataFrame({0: [1, 2, 3]}), TypeError, r"names \(DataFrame column names\)"),
        (pd.Series([1, 2, 3], name=0), TypeError, r"names \(the Series name\)"),
        ({"a": [1, 2, 3], 1: [1, 2, 3]}, TypeError, r"names \(dict keys\)"),
        (["a", "b"], ValueError, r"must have the same length as y_true \(3\); got 2"),
        ({"a": [[1, 2, 3]]}, ValueError, r"sensitive_features\['a'\] must be 1-D"),
    ],
)
def test_feature_columns_errors(sf, error, match):
    with pytest.raises(error, match=match):
        feature_columns(sf, 3)


def test_repeated_names_are_refused():
    sf = pd.DataFrame([[1, 2]] * 3, columns=["g", "g"])
    with pytest.raises(ValueError, match="names must be unique; got 'g' twice"):
        feature_columns(sf, 3)


def test_group_codes_and_index_sort_groups_by_value():
    sf = pd.DataFrame({"g": ["b", "a", "b", "a"], "h": [2, 1, 1, 1]})
    group, levels, level_codes = group_codes(sf, 4)
    index = group_index(levels, level_codes)
    assert [lev.tolist() for lev in levels] == [["a", "b"], [1, 2]]
    assert [index[g] for g in group] == [("b", 2), ("a", 1), ("b", 1), ("a", 1)]
    assert index.names == ["g", "h"]


def test_tally_is_the_confusion_matrix_of_every_group():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    sf = rng.choice(np.array(["x", "y", "z"]), 200)
    w = rng.random(200)
    counts = tally(
        y_true, y_pred, sensitive_features=sf, sample_weight=w, need_rows=True
    )
    assert counts.levels[0].tolist() == ["x", "y", "z"]
    for k, g in enumerate(["x", "y", "z"]):
        m = sf == g
        expected = [
            w[m & (y_true == t) & (y_pred == p)].sum() for t in (0, 1) for p in (0, 1)
        ]
        np.testing.assert_allclose(counts.cm[k], expected, atol=1e-12)
        assert counts.rows[k] == m.sum()
    whole = tally(y_true, y_pred)  # no sensitive features: one group
    assert whole.cm.shape == (1, 4) and whole.cm.sum() == 200


def test_rate_is_nan_without_a_warning_for_empty_denominators():
    with np.errstate(all="raise"):
        out = rate(np.array([1.0, 0.0]), np.array([2.0, 0.0]))
    assert out[0] == 0.5 and np.isnan(out[1])
    assert set(RATE_FORMULAS) >= {"selection_rate", "tpr", "fpr", "fnr", "tnr"}
