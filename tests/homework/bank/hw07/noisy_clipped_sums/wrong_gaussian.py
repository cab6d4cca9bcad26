# Adds Gaussian noise with the Laplace scale's standard deviation sqrt(2) * b.
import numpy as np


def noisy_clipped_sums(data, lower, upper, epsilon, rng):
    """Clip each row to [lower, upper], sum it and add Laplace noise (epsilon-DP)."""
    x = np.clip(np.asarray(data, dtype=float), lower, upper)
    b = max(abs(lower), abs(upper)) / epsilon
    return x.sum(axis=1) + rng.normal(0.0, np.sqrt(2) * b, size=x.shape[0])
