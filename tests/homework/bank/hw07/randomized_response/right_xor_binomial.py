# XOR with Bernoulli flips drawn by rng.binomial, keeping a boolean dtype.
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits).astype(bool)
    flips = rng.binomial(1, 1 / (1 + np.exp(epsilon)), size=truth.size).astype(bool)
    return (truth ^ flips).astype(int)
