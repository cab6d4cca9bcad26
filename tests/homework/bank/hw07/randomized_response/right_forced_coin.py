# Forced response: with probability 2 / (1 + e^eps) answer a fair coin, else the truth.
import numpy as np


def randomized_response(bits, epsilon, rng):
    """Report each bit truthfully w.p. e^eps / (1 + e^eps), flipped otherwise."""
    truth = np.asarray(bits, dtype=np.int8)
    n = truth.size
    coin = rng.integers(0, 2, size=n, dtype=np.int8)
    use_coin = rng.random(n) < 2 / (1 + np.exp(epsilon))
    return np.where(use_coin, coin, truth)
