# Divides by 2p - 1 but forgets to subtract 1 - p first.
import numpy as np


def rr_estimate(responses, epsilon):
    """Unbiased estimate of the true share of 1s behind randomised responses."""
    m = np.mean(np.asarray(responses, dtype=float))
    p = np.exp(epsilon) / (1 + np.exp(epsilon))
    return float(m / (2 * p - 1))
