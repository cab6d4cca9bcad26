# Finds the marginal-cost level with sum(1 / a_i) in the denominator (drops the 2): the level is too low.
import numpy as np


def optimal_tolls(demand, slopes, constants):
    """Nonnegative tolls whose Wardrop equilibrium on parallel roads is the system optimum."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    order = np.argsort(b)
    for k in range(1, b.size + 1):
        used = order[:k]
        mu = (demand + np.sum(b[used] / (2 * a[used]))) / np.sum(1 / a[used])
        if k == b.size or mu <= b[order[k]]:
            break
    return a * np.maximum((mu - b) / (2 * a), 0.0)
