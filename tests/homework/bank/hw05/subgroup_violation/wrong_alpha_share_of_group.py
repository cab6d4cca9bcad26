# Uses alpha = share of all rows in g, forgetting the y_true == 0 condition.
import numpy as np


def subgroup_violation(y_true, y_pred, mask):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    g = np.asarray(mask).astype(bool)
    if not (g & (y == 0)).any():
        return 0.0
    return float(g.mean() * abs(p[g & (y == 0)].mean() - p[y == 0].mean()))
