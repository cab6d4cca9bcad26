# Computes the rates right but puts the FPR in the FNR columns and the FNR in the FPR columns.
import numpy as np
import pandas as pd


def selective_rates(y_true, y_pred, observed, groups):
    """Per-group FPR and FNR on the observed rows and on all rows."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    seen = np.asarray(observed, dtype=bool)
    g = np.asarray(groups)
    rows = {}
    for label in np.unique(g):
        row = {}
        for scope, mask in (("observed", seen & (g == label)), ("all", g == label)):
            neg, pos = mask & ~y, mask & y
            fpr = p[neg].mean() if neg.any() else np.nan
            fnr = (~p[pos]).mean() if pos.any() else np.nan
            row[f"fpr_{scope}"], row[f"fnr_{scope}"] = fnr, fpr
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")
