# Maximises the rate gap |FPR_g - FPR| without the alpha(g) weight (picks tiny groups).
import itertools

import numpy as np


def most_violated_cell(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    neg = y == 0
    best, best_gap = None, -1.0
    for choice in itertools.product([None, 0, 1], repeat=len(A.columns)):
        cond = {c: v for c, v in zip(A.columns, choice, strict=True) if v is not None}
        if not cond:
            continue
        g = neg.copy()
        for column, value in cond.items():
            g &= np.asarray(A[column]).astype(int) == value
        if g.any() and abs(p[g].mean() - p[neg].mean()) > best_gap:
            best, best_gap = cond, abs(p[g].mean() - p[neg].mean())
    g = neg.copy()
    for column, value in best.items():
        g &= np.asarray(A[column]).astype(int) == value
    return best, float(g.mean() * best_gap)
