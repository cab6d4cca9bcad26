# Swaps the keep and flip probabilities: flips with probability e^eps / (1 + e^eps).
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits).astype(int)
    keep = np.exp(epsilon) / (1 + np.exp(epsilon))
    flip = rng.random(truth.shape) < keep
    return np.where(flip, 1 - truth, truth)
