# Forgets the sensitivity: Laplace scale 2 / epsilon.
import numpy as np


def noisy_max_runs(values, sensitivity, epsilon, n_runs, rng):
    """Indices reported by n_runs independent runs of report-noisy-max."""
    values = np.asarray(values, dtype=float)
    noise = rng.laplace(0.0, 2 / epsilon, size=(n_runs, len(values)))
    return np.argmax(values + noise, axis=1)
