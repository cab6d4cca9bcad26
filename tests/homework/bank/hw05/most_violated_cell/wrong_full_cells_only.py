# Searches only the full cells that fix every column.
import itertools

import numpy as np


def most_violated_cell(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    neg = y == 0
    best = (None, -1.0)
    for values in itertools.product([0, 1], repeat=len(A.columns)):
        g = neg.copy()
        for column, value in zip(A.columns, values, strict=True):
            g &= np.asarray(A[column]).astype(int) == value
        v = float(g.mean() * abs(p[g].mean() - p[neg].mean())) if g.any() else 0.0
        if v > best[1]:
            best = (dict(zip(A.columns, values, strict=True)), v)
    return best
