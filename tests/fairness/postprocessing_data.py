"""Data shared by the post-processing tests (thresholds, threshold optimizer).

Adult: a logistic regression on five numeric columns, fitted on the train
split; sensitive feature ``sex``. Synthetic: three groups with different base
rates, one with weak and inverted scores (so flipping helps), optionally with
tied scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_lib.datasets import load_adult

ADULT_FEATURES = ["age", "education_num", "capital_gain", "capital_loss"]
ADULT_FEATURES += ["hours_per_week"]


def adult_data() -> dict:
    """A fitted model, the train split and the test split of Adult."""
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


class Scorer(BaseEstimator):
    """A 'fitted' model whose score is column 0 of X (for synthetic data)."""

    def fit(self, X, y):
        return self

    def decision_function(self, X):
        return np.asarray(X, dtype=float)[:, 0]

    def __sklearn_is_fitted__(self) -> bool:
        return True


def synthetic_data(seed: int, n: int = 3000, ties: bool = False) -> dict:
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["a", "b", "c"]), size=n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(group).map({"a": 0.8, "b": 0.0, "c": -0.4}).to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-shift))).astype(np.int64)
    score = rng.normal(loc=1.2 * y + 0.3 * shift, scale=1.0)
    score[group == "c"] *= -0.3  # group c: weak and inverted scores (flip helps)
    if ties:
        score = np.round(score, 1)
    return {"X": score[:, None], "y": y, "sf": group}
