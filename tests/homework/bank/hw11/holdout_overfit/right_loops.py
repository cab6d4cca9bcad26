# Correct, with a Python loop over the features and accuracies as counts.
import numpy as np


def holdout_overfit(x_train, y_train, x_holdout, y_holdout, x_fresh, y_fresh, ks):
    xt, yt = np.array(x_train, dtype=float), np.array(y_train, dtype=float)
    xh, yh = np.array(x_holdout, dtype=float), np.array(y_holdout, dtype=float)
    xf, yf = np.array(x_fresh, dtype=float), np.array(y_fresh, dtype=float)
    n = len(yt)
    kept = []
    for j in range(xt.shape[1]):
        wt = np.mean(xt[:, j] * yt)
        wh = np.mean(xh[:, j] * yh)
        if min(abs(wt), abs(wh)) > n**-0.5 and wt * wh > 0:
            kept.append((abs(wt), j, 1.0 if wt > 0 else -1.0))
    kept.sort(reverse=True)
    rows = []
    for k in ks:
        use = kept[:k]
        if not use:
            rows.append([0.5, 0.5, 0.5])
            continue
        cols = [j for _, j, _ in use]
        signs = np.array([s for _, _, s in use])
        row = []
        for x, y in ((xt, yt), (xh, yh), (xf, yf)):
            predicted = np.where(x[:, cols] @ signs > 0, 1.0, -1.0)
            row.append(np.count_nonzero(predicted == y) / len(y))
        rows.append(row)
    return np.array(rows)
