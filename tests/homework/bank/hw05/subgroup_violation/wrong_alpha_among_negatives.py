# Uses alpha = P(g | y = 0), a share of the negatives, instead of P(g, y = 0).
import numpy as np


def subgroup_violation(y_true, y_pred, mask):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    neg = y == 0
    if not (g & neg).any():
        return 0.0
    alpha = (g & neg).sum() / neg.sum()
    return float(alpha * abs(p[g & neg].mean() - p[neg].mean()))
