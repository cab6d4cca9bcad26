# Uses p = 1 / (1 + e^eps), the flip probability, as if it were the keep probability.
import numpy as np


def rr_estimate(responses, epsilon):
    """Unbiased estimate of the true share of 1s behind randomised responses."""
    m = np.mean(np.asarray(responses, dtype=float))
    p = 1 / (1 + np.exp(epsilon))
    return float((m - (1 - p)) / (2 * p - 1))
