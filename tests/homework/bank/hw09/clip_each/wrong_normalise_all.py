# Scales every row to norm max_norm, also the short ones.
import numpy as np


def clip_each(grads, max_norm):
    """Clip each row of grads to L2 norm at most max_norm."""
    g = np.array(grads, dtype=float)
    norms = np.linalg.norm(g, axis=1, keepdims=True)
    return np.where(norms > 0, g * max_norm / np.where(norms > 0, norms, 1.0), 0.0)
