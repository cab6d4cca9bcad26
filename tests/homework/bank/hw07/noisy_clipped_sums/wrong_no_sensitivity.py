# Forgets the sensitivity: scale 1 / epsilon, as for a count.
import numpy as np


def noisy_clipped_sums(data, lower, upper, epsilon, rng):
    """Clip each row to [lower, upper], sum it and add Laplace noise (epsilon-DP)."""
    x = np.clip(np.asarray(data, dtype=float), lower, upper)
    return x.sum(axis=1) + rng.laplace(0.0, 1 / epsilon, size=x.shape[0])
