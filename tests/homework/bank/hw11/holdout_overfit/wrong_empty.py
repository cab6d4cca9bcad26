# Correct selection, but with no kept feature it scores the empty sum (sign 0): accuracy 0.
import numpy as np


def holdout_overfit(x_train, y_train, x_holdout, y_holdout, x_fresh, y_fresh, ks):
    sets = [
        (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        for x, y in [(x_train, y_train), (x_holdout, y_holdout), (x_fresh, y_fresh)]
    ]
    (xt, yt), (xh, yh) = sets[:2]
    n = yt.size
    wt, wh = xt.T @ yt / n, xh.T @ yh / n
    cut = 1 / np.sqrt(n)
    agree = np.sign(wt) == np.sign(wh)
    kept = np.flatnonzero((np.abs(wt) > cut) & (np.abs(wh) > cut) & agree)
    order = kept[np.argsort(-np.abs(wt[kept]))]
    out = np.empty((len(ks), 3))
    for i, k in enumerate(ks):
        c = order[:k]
        out[i] = [np.mean(np.sign(x[:, c] @ np.sign(wt[c])) == y) for x, y in sets]
    return out
