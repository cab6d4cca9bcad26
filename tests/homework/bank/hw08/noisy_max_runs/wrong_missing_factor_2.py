# Uses Laplace scale sensitivity / epsilon (only right for monotone counting queries).
import numpy as np


def noisy_max_runs(values, sensitivity, epsilon, n_runs, rng):
    """Indices reported by n_runs independent runs of report-noisy-max."""
    values = np.asarray(values, dtype=float)
    noise = rng.laplace(0.0, sensitivity / epsilon, size=(n_runs, len(values)))
    return np.argmax(values + noise, axis=1)
