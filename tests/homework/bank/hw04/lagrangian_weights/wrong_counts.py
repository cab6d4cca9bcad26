# Divides mu_g by the group's count instead of its share.
import numpy as np


def lagrangian_weights(y, groups, mu):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    count = np.array([np.sum(g == v) for v in g])
    own = np.array([mu[v] for v in g.tolist()])
    s = (2 * y - 1) + sum(mu.values()) - own / count
    return (s > 0).astype(int), np.abs(s)
