# Scans the cut for the largest rate gap |FPR_g - FPR| without the weight alpha(g): picks a sliver at the edge of the scores.
import numpy as np


def halfspace_audit(y_true, y_pred, X):
    X = np.asarray(X, dtype=float)
    negative = np.asarray(y_true) == 0
    p = np.asarray(y_pred, dtype=float)
    excess = p[negative] - p[negative].mean()
    design = np.column_stack([X[negative], np.ones(negative.sum())])
    w = np.linalg.lstsq(design, excess, rcond=None)[0][:-1]
    score = X[negative] @ w
    order = np.argsort(-score)
    sizes = np.arange(1, len(order) + 1)
    gaps = np.abs(np.cumsum(excess[order]) / sizes)[:-1]
    k = int(np.argmax(gaps))
    return w, float(-(score[order[k]] + score[order[k + 1]]) / 2)
