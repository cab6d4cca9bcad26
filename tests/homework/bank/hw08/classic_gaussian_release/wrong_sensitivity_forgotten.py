# Forgets the L2 sensitivity: sigma = sqrt(2 ln(1.25/delta)) / epsilon.
import math

import numpy as np


def classic_gaussian_release(values, l2_sensitivity, epsilon, delta, rng):
    """Release values + N(0, sigma^2) noise with the classic calibration."""
    values = np.asarray(values, dtype=float)
    sigma = math.sqrt(2 * math.log(1.25 / delta)) / epsilon
    return values + rng.normal(0.0, sigma, size=values.shape)
