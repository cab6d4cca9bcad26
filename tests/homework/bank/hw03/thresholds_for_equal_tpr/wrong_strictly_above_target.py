# Requires a TPR strictly above the target instead of at least the target.
import numpy as np
import pandas as pd


def thresholds_for_equal_tpr(scores, y_true, groups, target_tpr):
    """Each group's highest threshold whose TPR is at least target_tpr."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups)
    out = {}
    for group in np.unique(g):
        member = g == group
        positives = (member & y).sum()
        candidates = np.unique(s[member])[::-1]
        out[str(group)] = candidates[-1]
        for t in candidates:
            if (member & y & (s >= t)).sum() / positives > target_tpr:
                out[str(group)] = t
                break
    return pd.Series(out)
