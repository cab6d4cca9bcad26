# Correct, drawing standard normals and scaling them (different order of draws).
import numpy as np


def noisy_gradient_sum(X, y, w, clip_norm, noise_multiplier, rng):
    """Sum of per-example clipped logistic gradients plus Gaussian noise."""
    X = np.asarray(X, dtype=float)
    residual = 1.0 / (1.0 + np.exp(-(X @ np.asarray(w, dtype=float)))) - np.asarray(
        y, dtype=float
    )
    g = X * residual[:, None]
    norms = np.sqrt(np.einsum("ij,ij->i", g, g))
    factor = np.minimum(1.0, clip_norm / np.where(norms > 0, norms, np.inf))
    noise = rng.standard_normal(X.shape[1])[::-1]
    return (g * factor[:, None]).sum(axis=0) + noise_multiplier * clip_norm * noise
