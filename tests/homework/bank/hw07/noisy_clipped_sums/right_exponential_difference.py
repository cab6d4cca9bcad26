# Laplace noise as the difference of two exponentials; clipping with minimum/maximum.
import numpy as np


def noisy_clipped_sums(data, lower, upper, epsilon, rng):
    """Clip each row to [lower, upper], sum it and add Laplace noise (epsilon-DP)."""
    x = np.minimum(np.maximum(np.array(data, dtype=float), lower), upper)
    b = max(-lower, upper, lower, -upper) / epsilon
    k = len(x)
    return x.sum(axis=1) + rng.exponential(b, size=k) - rng.exponential(b, size=k)
