# Correct, differently: a discriminant direction (inverse covariance times the difference of means of the flagged and unflagged negatives), then the best of 200 quantile cuts.
import numpy as np


def halfspace_audit(y_true, y_pred, X):
    X = np.asarray(X, dtype=float)
    negative = np.asarray(y_true) == 0
    flagged = np.asarray(y_pred).astype(bool)
    Xn = X[negative]
    gap = X[negative & flagged].mean(axis=0) - X[negative & ~flagged].mean(axis=0)
    w = np.linalg.solve(np.cov(Xn, rowvar=False), gap)
    fp = np.asarray(y_pred, dtype=float)
    overall = fp[negative].mean()
    score = X @ w
    best_b, best = 0.0, -1.0
    for cut in np.quantile(score[negative], np.linspace(0.005, 0.995, 200)):
        inside = negative & (score > cut)
        violation = abs((fp[inside] - overall).sum()) / len(X)
        if violation > best:
            best_b, best = -cut, violation
    return w, float(best_b)
