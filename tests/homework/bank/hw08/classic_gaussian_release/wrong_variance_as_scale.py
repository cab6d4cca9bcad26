# Passes the variance sigma**2 to rng.normal, which expects the standard deviation.
import math

import numpy as np


def classic_gaussian_release(values, l2_sensitivity, epsilon, delta, rng):
    """Release values + N(0, sigma^2) noise with the classic calibration."""
    values = np.asarray(values, dtype=float)
    variance = 2 * math.log(1.25 / delta) * (l2_sensitivity / epsilon) ** 2
    return values + rng.normal(0.0, variance, size=values.shape)
