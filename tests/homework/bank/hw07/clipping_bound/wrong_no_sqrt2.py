# Takes the noise's standard deviation as U / (epsilon n), forgetting the sqrt(2) of the Laplace.
import numpy as np


def clipping_bound(public_values, n, epsilon):
    """The clipping bound U with the smallest error of the private mean, from public values."""
    x = np.sort(np.asarray(public_values, dtype=float))
    size = x.size
    k2 = 1.0 / (epsilon * n) ** 2
    above = size - np.arange(size + 1)
    tail = np.r_[np.cumsum(x[::-1])[::-1], 0.0]
    share = above / size
    vertex = tail / size * share / (share**2 + k2)
    u = np.clip(vertex, np.r_[0.0, x], np.r_[x, np.inf])
    err = ((tail - above * u) / size) ** 2 + k2 * u**2
    return float(u[np.argmin(err)])
