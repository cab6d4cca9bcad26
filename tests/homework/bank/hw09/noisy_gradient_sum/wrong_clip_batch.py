# Clips the summed (batch) gradient instead of each example's gradient.
import numpy as np


def noisy_gradient_sum(X, y, w, clip_norm, noise_multiplier, rng):
    """Sum of per-example clipped logistic gradients plus Gaussian noise."""
    X = np.asarray(X, dtype=float)
    residual = 1.0 / (1.0 + np.exp(-(X @ np.asarray(w, dtype=float)))) - np.asarray(
        y, dtype=float
    )
    g = X * residual[:, None]
    total = g.sum(axis=0)
    total = total * min(1.0, clip_norm / np.linalg.norm(total))
    return total + rng.normal(0.0, noise_multiplier * clip_norm, size=total.shape)
