# Searches only the marginal groups (one column fixed), never intersections.
import numpy as np


def most_violated_cell(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    neg = y == 0
    best = (None, -1.0)
    for column in A.columns:
        for value in (0, 1):
            g = neg & (np.asarray(A[column]).astype(int) == value)
            v = float(g.mean() * abs(p[g].mean() - p[neg].mean())) if g.any() else 0.0
            if v > best[1]:
                best = ({column: value}, v)
    return best
