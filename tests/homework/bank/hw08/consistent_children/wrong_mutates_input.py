# Correct projection, but computed in place in the caller's array.
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    y = (
        noisy_children
        if isinstance(noisy_children, np.ndarray)
        else np.asarray(noisy_children, dtype=float)
    )
    if parent == 0:
        y[:] = 0.0
        return y
    largest = np.sort(y)[::-1]
    theta = (np.cumsum(largest) - parent) / np.arange(1, len(y) + 1)
    last = np.nonzero(largest - theta > 0)[0][-1]
    y -= theta[last]
    np.maximum(y, 0.0, out=y)
    return y
