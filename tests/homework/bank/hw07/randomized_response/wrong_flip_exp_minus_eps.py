# Flips each bit with probability e^-epsilon instead of 1 / (1 + e^epsilon).
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits).astype(int)
    flip = rng.random(truth.shape) < np.exp(-epsilon)
    return np.where(flip, 1 - truth, truth)
