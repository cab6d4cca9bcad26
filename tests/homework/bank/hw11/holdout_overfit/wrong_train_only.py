# Selects the features on the training set alone (the holdout never takes part).
import numpy as np


def holdout_overfit(x_train, y_train, x_holdout, y_holdout, x_fresh, y_fresh, ks):
    xt, yt = np.asarray(x_train, dtype=float), np.asarray(y_train, dtype=float)
    sets = [(xt, yt)] + [
        (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        for x, y in [(x_holdout, y_holdout), (x_fresh, y_fresh)]
    ]
    n = yt.size
    w = xt.T @ yt / n
    kept = np.flatnonzero(np.abs(w) > 1 / np.sqrt(n))
    order = kept[np.argsort(-np.abs(w[kept]))]
    out = np.full((len(ks), 3), 0.5)
    for i, k in enumerate(ks):
        c = order[:k]
        if c.size:
            out[i] = [np.mean(np.sign(x[:, c] @ np.sign(w[c])) == y) for x, y in sets]
    return out
