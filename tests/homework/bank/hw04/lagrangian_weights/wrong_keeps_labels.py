# Computes the right weights but keeps the original labels.
import numpy as np


def lagrangian_weights(y, groups, mu):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    share = np.array([np.mean(g == v) for v in g])
    own = np.array([mu[v] for v in g.tolist()])
    s = (2 * y - 1) + sum(mu.values()) - own / share
    return y.astype(int), np.abs(s)
