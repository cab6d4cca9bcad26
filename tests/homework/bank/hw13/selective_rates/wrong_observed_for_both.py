# Computes the *_all columns on the observed rows too (the lender's view twice).
import numpy as np
import pandas as pd


def selective_rates(y_true, y_pred, observed, groups):
    """Per-group FPR and FNR on the observed rows and on all rows."""
    df = pd.DataFrame(
        {"y": np.asarray(y_true), "p": np.asarray(y_pred), "g": np.asarray(groups)}
    )
    df = df[np.asarray(observed, dtype=bool)]
    rows = {}
    for g, part in df.groupby("g"):
        neg, pos = part[part["y"] == 0], part[part["y"] == 1]
        fpr = neg["p"].mean() if len(neg) else np.nan
        fnr = 1 - pos["p"].mean() if len(pos) else np.nan
        rows[g] = {
            "fpr_observed": fpr,
            "fpr_all": fpr,
            "fnr_observed": fnr,
            "fnr_all": fnr,
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()
