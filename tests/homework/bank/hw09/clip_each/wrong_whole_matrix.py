# Clips the norm of the whole matrix instead of each row.
import numpy as np


def clip_each(grads, max_norm):
    """Clip each row of grads to L2 norm at most max_norm."""
    g = np.array(grads, dtype=float)
    total = np.linalg.norm(g)
    return g * min(1.0, max_norm / total) if total > 0 else g
