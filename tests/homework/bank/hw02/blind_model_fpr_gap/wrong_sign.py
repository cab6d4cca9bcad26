# Returns the White group's FPR minus the Black group's (the opposite sign).
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def blind_model_fpr_gap(train, test, features):
    enc = pd.get_dummies(
        pd.concat([train[features], test[features]]), drop_first=True, dtype=float
    )
    model = make_pipeline(StandardScaler(), LogisticRegression())
    model.fit(enc.iloc[: len(train)], train["two_year_recid"])
    flagged = model.predict_proba(enc.iloc[len(train) :])[:, 1] >= 0.5
    neg = (test["two_year_recid"] == 0).to_numpy()
    race = test["race"].astype(str).to_numpy()
    fpr_b = flagged[neg & (race == "African-American")].mean()
    fpr_w = flagged[neg & (race == "Caucasian")].mean()
    return float(fpr_w - fpr_b)
