# Uses "score > t" instead of "score >= t".
import numpy as np
import pandas as pd


def roc_points(scores, y_true, groups):
    """TPR and FPR of "score >= t" for every group and every score t of the group."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups)
    rows = []
    for group in np.unique(g):
        member = g == group
        for t in np.unique(s[member]):
            chosen = member & (s > t)
            rows.append(
                {
                    "group": group,
                    "threshold": t,
                    "tpr": (chosen & y).sum() / (member & y).sum(),
                    "fpr": (chosen & ~y).sum() / (member & ~y).sum(),
                }
            )
    return pd.DataFrame(rows)
