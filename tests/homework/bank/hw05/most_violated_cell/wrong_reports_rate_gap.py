# Finds the right subgroup but reports its rate gap instead of its violation.
import itertools

import numpy as np


def most_violated_cell(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    neg = y == 0
    best, best_v, best_gap = None, -1.0, 0.0
    for choice in itertools.product([None, 0, 1], repeat=len(A.columns)):
        cond = {c: v for c, v in zip(A.columns, choice, strict=True) if v is not None}
        if not cond:
            continue
        g = neg.copy()
        for column, value in cond.items():
            g &= np.asarray(A[column]).astype(int) == value
        if not g.any():
            continue
        gap = abs(p[g].mean() - p[neg].mean())
        if g.mean() * gap > best_v:
            best, best_v, best_gap = cond, g.mean() * gap, gap
    return best, float(best_gap)
