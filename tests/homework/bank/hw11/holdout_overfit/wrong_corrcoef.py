# Uses Pearson's correlation coefficient (np.corrcoef) instead of (1/n) sum x y.
import numpy as np


def holdout_overfit(x_train, y_train, x_holdout, y_holdout, x_fresh, y_fresh, ks):
    sets = [
        (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        for x, y in [(x_train, y_train), (x_holdout, y_holdout), (x_fresh, y_fresh)]
    ]
    (xt, yt), (xh, yh) = sets[:2]
    n = yt.size
    d = xt.shape[1]
    wt = np.corrcoef(xt.T, yt)[d, :d]
    wh = np.corrcoef(xh.T, yh)[d, :d]
    cut = 1 / np.sqrt(n)
    kept = np.flatnonzero((np.abs(wt) > cut) & (np.abs(wh) > cut) & (wt * wh > 0))
    order = kept[np.argsort(-np.abs(wt[kept]))]
    out = np.full((len(ks), 3), 0.5)
    for i, k in enumerate(ks):
        c = order[:k]
        if c.size:
            out[i] = [np.mean(np.sign(x[:, c] @ np.sign(wt[c])) == y) for x, y in sets]
    return out
