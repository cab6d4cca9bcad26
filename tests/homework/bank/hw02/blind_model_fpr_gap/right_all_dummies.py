# Correct: all indicator columns (no drop_first), test columns aligned with reindex.
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def blind_model_fpr_gap(train, test, features):
    """FPR of a race-blind logistic regression on test: Black minus White."""
    X_train = pd.get_dummies(train[features], dtype=float)
    X_test = pd.get_dummies(test[features], dtype=float).reindex(
        columns=X_train.columns, fill_value=0.0
    )
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(X_train, train["two_year_recid"])
    pred = model.predict(X_test)
    out = {}
    for race in ["African-American", "Caucasian"]:
        rows = (test["race"] == race).to_numpy() & (
            test["two_year_recid"] == 0
        ).to_numpy()
        out[race] = np.mean(pred[rows] == 1)
    return out["African-American"] - out["Caucasian"]
