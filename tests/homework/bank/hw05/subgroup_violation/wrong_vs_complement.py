# Compares FPR_g with the FPR of the people outside g instead of everyone's.
import numpy as np


def subgroup_violation(y_true, y_pred, mask):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    if not (g & neg).any() or not (~g & neg).any():
        return 0.0
    return float((g & neg).mean() * abs(p[g & neg].mean() - p[~g & neg].mean()))
