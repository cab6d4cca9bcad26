# Draws one Laplace value and adds it to every sum.
import numpy as np


def noisy_clipped_sums(data, lower, upper, epsilon, rng):
    """Clip each row to [lower, upper], sum it and add Laplace noise (epsilon-DP)."""
    x = np.clip(np.asarray(data, dtype=float), lower, upper)
    sensitivity = max(abs(lower), abs(upper))
    return x.sum(axis=1) + rng.laplace(0.0, sensitivity / epsilon)
