# Returns the signed s_i as the weight instead of |s_i|.
import numpy as np


def lagrangian_weights(y, groups, mu):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    share = np.array([np.mean(g == v) for v in g])
    own = np.array([mu[v] for v in g.tolist()])
    s = (2 * y - 1) + sum(mu.values()) - own / share
    return (s > 0).astype(int), s
