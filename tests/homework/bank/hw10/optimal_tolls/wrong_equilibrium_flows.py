# Tolls a_i x_i at the untolled EQUILIBRIUM flows instead of the optimum's.
import numpy as np


def optimal_tolls(demand, slopes, constants):
    """Nonnegative tolls whose Wardrop equilibrium on parallel roads is the system optimum."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    order = np.argsort(b)
    for k in range(1, b.size + 1):
        used = order[:k]
        level = (demand + np.sum(b[used] / a[used])) / np.sum(1 / a[used])
        if k == b.size or level <= b[order[k]]:
            break
    return a * np.maximum((level - b) / a, 0.0)
