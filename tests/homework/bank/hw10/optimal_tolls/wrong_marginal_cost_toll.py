# Charges the whole marginal cost 2 a_i x_i + b_i as the toll, not the externality a_i x_i.
import numpy as np


def optimal_tolls(demand, slopes, constants):
    """Nonnegative tolls whose Wardrop equilibrium on parallel roads is the system optimum."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    order = np.argsort(b)
    for k in range(1, b.size + 1):
        used = order[:k]
        mu = (demand + np.sum(b[used] / (2 * a[used]))) / np.sum(1 / (2 * a[used]))
        if k == b.size or mu <= b[order[k]]:
            break
    flows = np.maximum((mu - b) / (2 * a), 0.0)
    return 2 * a * flows + b
