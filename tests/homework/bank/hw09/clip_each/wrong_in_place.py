# Clips correctly but modifies the caller's array in place.
import numpy as np


def clip_each(grads, max_norm):
    """Clip each row of grads to L2 norm at most max_norm."""
    g = np.asarray(grads, dtype=float)
    norms = np.linalg.norm(g, axis=1)
    g *= (max_norm / np.maximum(norms, max_norm))[:, None]
    return g
