# Noise standard deviation noise_multiplier, forgetting the clip norm (sensitivity).
import numpy as np


def noisy_gradient_sum(X, y, w, clip_norm, noise_multiplier, rng):
    """Sum of per-example clipped logistic gradients plus Gaussian noise."""
    X = np.asarray(X, dtype=float)
    residual = 1.0 / (1.0 + np.exp(-(X @ np.asarray(w, dtype=float)))) - np.asarray(
        y, dtype=float
    )
    g = X * residual[:, None]
    norms = np.linalg.norm(g, axis=1)
    clipped = g * (clip_norm / np.maximum(norms, clip_norm))[:, None]
    total = clipped.sum(axis=0)
    return total + rng.normal(0.0, noise_multiplier, size=total.shape)
