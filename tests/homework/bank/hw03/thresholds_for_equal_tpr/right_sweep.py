# Correct: tries each group's distinct scores from the highest down.
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
        for t in np.unique(s[member])[::-1]:
            if (member & y & (s >= t)).sum() / positives >= target_tpr:
                out[str(group)] = t
                break
    return pd.Series(out)
