# Correct: scales standard normals, drawn in another order, by sigma.

import numpy as np


def classic_gaussian_release(values, l2_sensitivity, epsilon, delta, rng):
    """Release values + N(0, sigma^2) noise with the classic calibration."""
    arr = np.array(values, dtype=float)
    z = rng.standard_normal(arr.size)[::-1].reshape(arr.shape)
    return arr + z * (l2_sensitivity * np.sqrt(2 * np.log(1.25 / delta)) / epsilon)
