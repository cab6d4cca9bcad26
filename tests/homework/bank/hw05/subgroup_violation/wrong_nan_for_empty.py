# Forgets the empty case: returns NaN (with a warning) when g has no negatives.
import numpy as np


def subgroup_violation(y_true, y_pred, mask):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    fpr_g = p[g & neg].sum() / (g & neg).sum() if (g & neg).any() else float("nan")
    return float((g & neg).mean() * abs(fpr_g - p[neg].mean()))
