# Regresses the excess y_pred - FPR over everyone, positives included, and scans the cut by the same (wrong) sum over everyone.
import numpy as np


def halfspace_audit(y_true, y_pred, X):
    X = np.asarray(X, dtype=float)
    negative = np.asarray(y_true) == 0
    p = np.asarray(y_pred, dtype=float)
    excess = p - p[negative].mean()
    design = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(design, excess, rcond=None)[0][:-1]
    score = X @ w
    order = np.argsort(-score)
    k = int(np.argmax(np.abs(np.cumsum(excess[order]))[:-1]))
    return w, float(-(score[order[k]] + score[order[k + 1]]) / 2)
