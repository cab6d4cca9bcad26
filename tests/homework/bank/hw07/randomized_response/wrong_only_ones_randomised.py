# Randomises only the 1s (a "yes" may become "no"), never the 0s.
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits).astype(int)
    flip = rng.random(truth.shape) < 1 / (1 + np.exp(epsilon))
    return np.where(flip & (truth == 1), 0, truth)
