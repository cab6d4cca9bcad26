# Divides the false positives (false negatives) by the group's size, not by its negatives (positives).
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
            n = mask.sum()
            row[f"fpr_{scope}"] = (mask & ~y & p).sum() / n if n else np.nan
            row[f"fnr_{scope}"] = (mask & y & ~p).sum() / n if n else np.nan
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")
