# Draws one noise vector and reuses it in every run.
import numpy as np


def noisy_max_runs(values, sensitivity, epsilon, n_runs, rng):
    """Indices reported by n_runs independent runs of report-noisy-max."""
    values = np.asarray(values, dtype=float)
    noise = rng.laplace(0.0, 2 * sensitivity / epsilon, size=len(values))
    return np.full(n_runs, int(np.argmax(values + noise)))
