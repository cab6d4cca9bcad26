# Shifts every child equally, then clips at zero: the sum is then wrong.
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    y = np.asarray(noisy_children, dtype=float)
    return np.maximum(y + (parent - y.sum()) / len(y), 0.0)
