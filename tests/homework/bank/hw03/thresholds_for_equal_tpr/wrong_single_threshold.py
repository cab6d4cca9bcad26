# Finds one threshold on the pooled data and gives it to every group.
import numpy as np
import pandas as pd


def thresholds_for_equal_tpr(scores, y_true, groups, target_tpr):
    """Each group's highest threshold whose TPR is at least target_tpr."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y_true).astype(bool)
    g = np.asarray(groups)
    positive_scores = np.sort(s[y])[::-1]
    k = int(np.ceil(target_tpr * len(positive_scores) - 1e-9))
    t = positive_scores[max(k, 1) - 1]
    return pd.Series({str(group): t for group in np.unique(g)})
