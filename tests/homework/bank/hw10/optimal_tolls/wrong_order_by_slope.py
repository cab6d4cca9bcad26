# Adds roads to the used set in order of their slopes instead of their constants.
import numpy as np


def optimal_tolls(demand, slopes, constants):
    """Nonnegative tolls whose Wardrop equilibrium on parallel roads is the system optimum."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    order = np.argsort(a)
    for k in range(1, b.size + 1):
        used = order[:k]
        mu = (demand + np.sum(b[used] / (2 * a[used]))) / np.sum(1 / (2 * a[used]))
        if k == b.size or mu <= b[order[k]]:
            break
    flows = np.zeros(b.size)
    flows[used] = np.maximum((mu - b[used]) / (2 * a[used]), 0.0)
    return a * flows
