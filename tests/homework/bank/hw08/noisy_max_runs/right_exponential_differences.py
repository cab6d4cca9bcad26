# Correct: Laplace noise as a difference of two exponentials, candidates in a loop.
import numpy as np


def noisy_max_runs(values, sensitivity, epsilon, n_runs, rng):
    """Indices reported by n_runs independent runs of report-noisy-max."""
    scale = 2.0 * sensitivity / epsilon
    columns = []
    for v in values:
        noise = rng.exponential(scale, n_runs) - rng.exponential(scale, n_runs)
        columns.append(v + noise)
    return np.stack(columns, axis=1).argmax(axis=1)
