# Takes the least-squares regression's own intercept as the cut (no threshold search): misses a boundary away from the centre.
import numpy as np


def halfspace_audit(y_true, y_pred, X):
    X = np.asarray(X, dtype=float)
    negative = np.asarray(y_true) == 0
    p = np.asarray(y_pred, dtype=float)
    design = np.column_stack([X[negative], np.ones(negative.sum())])
    coef = np.linalg.lstsq(design, p[negative] - p[negative].mean(), rcond=None)[0]
    return coef[:-1], float(coef[-1])
