# Takes upper - lower as the sensitivity (right for replacing a person, not adding one).
import numpy as np


def noisy_clipped_sums(data, lower, upper, epsilon, rng):
    """Clip each row to [lower, upper], sum it and add Laplace noise (epsilon-DP)."""
    x = np.clip(np.asarray(data, dtype=float), lower, upper)
    return x.sum(axis=1) + rng.laplace(0.0, (upper - lower) / epsilon, size=x.shape[0])
