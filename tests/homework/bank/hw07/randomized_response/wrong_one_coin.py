# Draws one coin for everybody: all bits are flipped together or not at all.
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits).astype(int)
    if rng.random() < 1 / (1 + np.exp(epsilon)):
        return 1 - truth
    return truth
