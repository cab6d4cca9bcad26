# Confuses the classes: the share flagged among those with bad credit as FPR, not flagged among the good as FNR.
import numpy as np
import pandas as pd


def selective_rates(y_true, y_pred, observed, groups):
    """Per-group FPR and FNR on the observed rows and on all rows."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    seen = np.asarray(observed, dtype=bool)
    g = np.asarray(groups)

    def share(mask):
        return p[mask].mean() if mask.any() else np.nan

    rows = {}
    for label in np.unique(g):
        member = g == label
        rows[label] = {
            "fpr_observed": share(member & seen & y),
            "fpr_all": share(member & y),
            "fnr_observed": 1 - share(member & seen & ~y),
            "fnr_all": 1 - share(member & ~y),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
