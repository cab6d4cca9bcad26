# Correct, written group by group with boolean masks.
import numpy as np


def lagrangian_weights(y, groups, mu):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    s = 2 * y - 1 + sum(mu.values())
    for label, price in mu.items():
        member = g == label
        if member.any():
            s = np.where(member, s - price * len(g) / member.sum(), s)
    labels = np.where(s > 0, 1, 0)
    return labels, np.abs(s)
