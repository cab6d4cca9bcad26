# Correct: finds theta by bisection on the (decreasing) sum of max(y - theta, 0).
import numpy as np


def consistent_children(parent, noisy_children):
    """Closest non-negative vector to noisy_children that sums to parent."""
    y = np.array(noisy_children, dtype=float)
    if parent == 0:
        return np.zeros(len(y))
    lo, hi = y.min() - parent, y.max()
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.maximum(y - mid, 0).sum() > parent:
            lo = mid
        else:
            hi = mid
    theta = (lo + hi) / 2
    positive = y > theta
    theta = (y[positive].sum() - parent) / positive.sum()
    return np.maximum(y - theta, 0.0)
