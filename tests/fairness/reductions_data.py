"""Data and helpers shared by the reductions tests (moments, EG, grid search).

Data: an 8,000-row random subsample of Adult (numeric columns standardised,
one-hot workclass/marital_status/occupation/relationship/race; sensitive
feature ``sex``), split 6,000 train / 2,000 held out.

fairlearn is run with warnings silenced (it emits pandas 3 deprecation
warnings) and, to keep the suite fast on a busy 2-core machine, with one BLAS
thread (this changes its speed, not its results).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from course_lib.datasets import load_adult

NUM = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CAT = ["workclass", "marital_status", "occupation", "relationship", "race"]


def adult_subsample() -> dict:
    """The 8,000-row Adult subsample, split 6,000 train / 2,000 held out."""
    adult = load_adult(split="all").sample(8000, random_state=0)
    Xn = adult[NUM].to_numpy(float)
    Xn = (Xn - Xn.mean(0)) / Xn.std(0)
    X = np.hstack([Xn, pd.get_dummies(adult[CAT]).to_numpy(float)])
    y = (adult["income"] == ">50K").to_numpy().astype(np.int64)
    s = adult["sex"].astype(str).to_numpy()
    race = adult["race"].astype(str).to_numpy()
    tr, te = slice(0, 6000), slice(6000, None)
    return {
        "X": X[tr],
        "y": y[tr],
        "s": s[tr],
        "race": race[tr],
        "Xt": X[te],
        "yt": y[te],
        "st": s[te],
    }


def fit_fairlearn(model, X, y, **kw):
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        return model.fit(X, y, **kw)


def lr():
    return LogisticRegression(max_iter=1000)
