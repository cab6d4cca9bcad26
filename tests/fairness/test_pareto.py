"""Tests for course_lib.fairness._pareto, against a brute-force O(n^2) check."""

from __future__ import annotations

import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from sklearn.linear_model import LogisticRegression

from course_lib.datasets import load_adult
from course_lib.fairness import _pareto as pareto_mod
from course_lib.fairness import equalized_odds_difference, pareto_front, plot_front
from course_lib.fairness import pareto_sweep as sweep


def brute_force_front(points, minimize):
    """Reference: point i is on the front iff no j dominates it (plain loops)."""
    pts = np.asarray(points, dtype=float) * np.where(minimize, 1.0, -1.0)
    n = len(pts)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if np.all(pts[j] <= pts[i]) and np.any(pts[j] < pts[i]):
                keep[i] = False
                break
    return keep


def random_points(seed, n, k, kind):
    rng = np.random.default_rng(seed)
    if kind == "continuous":
        return rng.normal(size=(n, k))
    if kind == "ties":  # few distinct values per column: many ties
        return rng.integers(0, 4, size=(n, k)).astype(float)
    if kind == "duplicates":  # whole rows repeated
        base = rng.normal(size=(max(1, n // 3), k))
        return base[rng.integers(0, len(base), n)]
    if kind == "anticorrelated":  # most points on the front
        x = rng.random(n)
        cols = [x, 1 - x + rng.normal(0, 0.01, n)]
        cols += [rng.random(n) for _ in range(k - 2)]
        return np.column_stack(cols[:k])
    raise AssertionError(kind)


KINDS = ["continuous", "ties", "duplicates", "anticorrelated"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [1, 2, 7, 60])
@pytest.mark.parametrize("seed", range(3))
def test_2d_matches_brute_force_for_every_orientation(kind, n, seed):
    pts = random_points(seed, n, 2, kind)
    for minimize in itertools.product([True, False], repeat=2):
        got = pareto_front(pts, minimize=minimize)
        assert got.dtype == bool and got.shape == (n,)
        np.testing.assert_array_equal(got, brute_force_front(pts, minimize))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("k", [1, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_kd_matches_brute_force(kind, k, seed):
    pts = random_points(10 + seed, 50, k, kind)
    for minimize in itertools.product([True, False], repeat=k):
        got = pareto_front(pts, minimize=minimize)
        np.testing.assert_array_equal(got, brute_force_front(pts, minimize))


def test_kd_blocks_agree_with_one_block(monkeypatch):
    pts = random_points(20, 200, 3, "ties")
    whole = pareto_front(pts, minimize=True)
    monkeypatch.setattr(pareto_mod, "_BLOCK_ELEMENTS", 50)  # 1 row per block
    np.testing.assert_array_equal(pareto_front(pts, minimize=True), whole)
    np.testing.assert_array_equal(whole, brute_force_front(pts, [True] * 3))


def test_2d_sort_path_agrees_with_broadcasting_path():
    pts = random_points(21, 3_000, 2, "ties")
    rng = np.random.default_rng(0)
    pts = np.vstack([pts, rng.random((3_000, 2)) * 3])
    np.testing.assert_array_equal(
        pareto_front(pts), pareto_mod._front_kd(pts.astype(float))
    )


def test_hand_examples_ties_and_duplicates():
    pts = [
        [1, 5],  # front
        [1, 5],  # duplicate of a front point: also front
        [1, 6],  # same x, larger y: dominated by (1, 5)
        [2, 5],  # same y, larger x: dominated by (1, 5)
        [2, 3],  # front
        [3, 3],  # dominated by (2, 3)
        [4, 1],  # front
        [4, 1],  # front
    ]
    expected = [True, True, False, False, True, False, True, True]
    assert pareto_front(pts).tolist() == expected
    # Maximising both: (1, 6), (2, 5), (3, 3) and both (4, 1) are on the front;
    # (1, 5) is beaten by (1, 6) and (2, 3) by (3, 3).
    expected_max = [False, False, True, True, False, True, True, True]
    assert pareto_front(pts, minimize=False).tolist() == expected_max
    # All points identical: all on the front.
    assert pareto_front(np.ones((4, 2))).all()
    assert pareto_front(np.ones((4, 3)), minimize=True).all()
    assert pareto_front(np.zeros((0, 2))).shape == (0,)


def test_front_is_order_invariant():
    pts = random_points(5, 100, 2, "ties")
    perm = np.random.default_rng(1).permutation(100)
    np.testing.assert_array_equal(pareto_front(pts)[perm], pareto_front(pts[perm]))


@pytest.mark.parametrize(
    "points, minimize, error, match",
    [
        (np.zeros(3), True, ValueError, r"points must be a 2-D array .*got shape"),
        (np.zeros((3, 0)), True, ValueError, r"at least one objective column"),
        (
            [[0.0, np.nan], [1.0, 1.0]],
            True,
            ValueError,
            r"points must be finite \(no NaN or inf\); got 1 row",
        ),
        ([["a", "b"]], True, TypeError, r"points must be numeric"),
        (
            np.zeros((3, 3)),
            (True, True),
            ValueError,
            r"minimize must be a bool or a sequence of 3 bools .*got \(True, True\)",
        ),
        (
            np.zeros((3, 2)),
            ("min", "max"),
            ValueError,
            r"minimize must be a bool or a sequence of 2 bools",
        ),
    ],
)
def test_pareto_front_errors(points, minimize, error, match):
    with pytest.raises(error, match=match):
        pareto_front(points, minimize=minimize)


# --------------------------------------------------------------------------
# sweep
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adult_scores():
    df = load_adult(split="all").sample(8_000, random_state=0)
    cols = ["age", "education_num", "hours_per_week", "capital_gain"]
    X = df[cols].to_numpy(dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (df["income"] == ">50K").to_numpy().astype(int)
    score = LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
    return y, score, df["sex"]


def test_sweep_thresholds_on_adult(adult_scores):
    y, score, sex = adult_scores
    thresholds = np.linspace(0.05, 0.95, 19)
    table = sweep(
        lambda t: (score >= t).astype(int),
        thresholds,
        y_true=y,
        sensitive_features=sex,
    )
    assert list(table.columns) == ["param", "error", "unfairness", "pareto"]
    np.testing.assert_array_equal(table["param"], thresholds)
    assert table["pareto"].dtype == bool
    for t, err in zip(thresholds, table["error"], strict=True):
        assert err == pytest.approx(np.mean((score >= t) != y), abs=1e-15)
    np.testing.assert_array_equal(
        table["pareto"],
        brute_force_front(table[["error", "unfairness"]].to_numpy(), [True, True]),
    )
    # Threshold 0.95 selects (almost) nobody: the least unfair point is on the
    # front, and so is the most accurate one.
    assert table.loc[table["unfairness"].idxmin(), "pareto"]
    assert table.loc[table["error"].idxmin(), "pareto"]
    assert 1 < table["pareto"].sum() < len(table)


def test_sweep_dict_params_and_custom_metrics(adult_scores):
    y, score, sex = adult_scores
    grid = [{"t": t, "shift": s} for t in (0.3, 0.5) for s in (0.0, 0.1)]
    women = (sex == "Female").to_numpy()

    def fit_predict(p):
        return (score + p["shift"] * women >= p["t"]).astype(int)

    table = sweep(
        fit_predict,
        grid,
        y_true=y,
        sensitive_features=sex,
        error=lambda yt, yp: 1 - np.mean(yt == yp),
        unfairness=equalized_odds_difference,
    )
    assert list(table.columns) == ["t", "shift", "error", "unfairness", "pareto"]
    assert table[["t", "shift"]].to_dict("records") == grid
    preds = fit_predict(grid[3])
    assert table.loc[3, "unfairness"] == equalized_odds_difference(
        y, preds, sensitive_features=sex
    )


def test_sweep_nan_rows_are_never_on_the_front():
    y = np.array([0, 1, 0, 1])
    values = {0: 0.5, 1: np.nan, 2: 0.1}  # unfairness by number selected

    table = sweep(
        lambda p: (np.arange(4) < p).astype(int),
        [0, 1, 2],
        y_true=y,
        sensitive_features=["a", "a", "b", "b"],
        error=lambda yt, yp: 0.2,
        unfairness=lambda yt, yp, sensitive_features: values[int(yp.sum())],
    )
    assert table["pareto"].tolist() == [False, False, True]
    assert np.isnan(table.loc[1, "unfairness"])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(params=[]), ValueError, r"params must contain at least one"),
        (dict(fit_predict=3), TypeError, r"fit_predict must be callable; got int"),
        (dict(error="zero_one"), TypeError, r"error must be callable; got str"),
        (
            dict(fit_predict=lambda p: [0, 1]),
            ValueError,
            r"fit_predict must return one prediction per row of y_true \(4\); got "
            r"2 for param 0",
        ),
        (
            dict(params=[{"error": 1}]),
            ValueError,
            r"parameter names must not be \['error'\]",
        ),
    ],
)
def test_sweep_errors(kwargs, error, match):
    args = dict(
        fit_predict=lambda p: [0, 1, 0, 1],
        params=[0],
        y_true=[0, 1, 1, 1],
        sensitive_features=["a", "a", "b", "b"],
    )
    args.update(kwargs)
    with pytest.raises(error, match=match):
        sweep(args.pop("fit_predict"), args.pop("params"), **args)


# --------------------------------------------------------------------------
# plot_front
# --------------------------------------------------------------------------


def test_plot_front_returns_labelled_axes_without_warnings():
    df = pd.DataFrame(
        {
            "error": [0.1, 0.2, 0.3, 0.25, np.nan],
            "unfairness": [0.3, 0.1, 0.2, 0.1, 0.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_front(df)
        ax.figure.canvas.draw()
    assert isinstance(ax, Axes)
    assert ax.get_xlabel() == "error" and ax.get_ylabel() == "unfairness"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["dominated", "Pareto front"]
    # Front points (0.1, 0.3), (0.2, 0.1); dominated (0.3, 0.2), (0.25, 0.1).
    front = ax.collections[1].get_offsets()
    np.testing.assert_array_equal(np.asarray(front), [[0.1, 0.3], [0.2, 0.1]])
    dominated = np.asarray(ax.collections[0].get_offsets())
    assert sorted(map(tuple, dominated)) == [(0.25, 0.1), (0.3, 0.2)]
    plt.close(ax.figure)


def test_plot_front_on_given_axes_with_sweep_table():
    df = pd.DataFrame(
        {
            "param": [1, 2, 3],
            "false_positive_gap": [0.2, 0.1, 0.3],
            "loss": [0.3, 0.4, 0.5],
            "pareto": [True, True, False],
        }
    )
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = plot_front(
            df, ax, x="loss", y="false_positive_gap", label="models", ylabel="gap"
        )
        fig.canvas.draw()
    assert out is ax
    assert ax.get_xlabel() == "loss" and ax.get_ylabel() == "gap"
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "models"
    plt.close(fig)


@pytest.mark.parametrize(
    "df, kwargs, error, match",
    [
        (np.zeros((2, 2)), {}, TypeError, r"df must be a pandas DataFrame; got"),
        (
            pd.DataFrame({"error": [0.1]}),
            {},
            ValueError,
            r"df must have a column 'unfairness'",
        ),
        (
            pd.DataFrame({"error": [np.nan], "unfairness": [0.1]}),
            {},
            ValueError,
            r"at least one row with finite 'error' and 'unfairness'; got none",
        ),
    ],
)
def test_plot_front_errors(df, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_front(df, **kwargs)
