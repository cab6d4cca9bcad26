# Adds the same noise draw to every candidate of a run (so the true maximum always wins).
import numpy as np


def noisy_max_runs(values, sensitivity, epsilon, n_runs, rng):
    """Indices reported by n_runs independent runs of report-noisy-max."""
    values = np.asarray(values, dtype=float)
    noise = rng.laplace(0.0, 2 * sensitivity / epsilon, size=(n_runs, 1))
    return np.argmax(values + noise, axis=1)
