# Clips negative children at zero but does not make them sum to the parent.
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    return np.maximum(np.asarray(noisy_children, dtype=float), 0.0)
