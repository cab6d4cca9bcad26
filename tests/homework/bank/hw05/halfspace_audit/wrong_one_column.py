# Searches thresholds on one column at a time (axis-aligned cuts): a planted boundary that weighs every column is missed.
import numpy as np


def halfspace_audit(y_true, y_pred, X):
    X = np.asarray(X, dtype=float)
    negative = np.asarray(y_true) == 0
    p = np.asarray(y_pred, dtype=float)
    excess = p[negative] - p[negative].mean()
    best = (-1.0, None, None)
    for j in range(X.shape[1]):
        column = X[negative, j]
        order = np.argsort(-column)
        totals = np.abs(np.cumsum(excess[order]))[:-1]
        k = int(np.argmax(totals))
        if totals[k] > best[0]:
            cut = (column[order[k]] + column[order[k + 1]]) / 2
            best = (totals[k], j, cut)
    w = np.zeros(X.shape[1])
    w[best[1]] = 1.0
    return w, float(-best[2])
