# Leaves out the term sum_g mu_g that every person gets.
import numpy as np


def lagrangian_weights(y, groups, mu):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    share = np.array([np.mean(g == v) for v in g])
    own = np.array([mu[v] for v in g.tolist()])
    s = (2 * y - 1) - own / share
    return (s > 0).astype(int), np.abs(s)
