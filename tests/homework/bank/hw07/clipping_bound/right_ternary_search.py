# The error is convex in U: a ternary search on [0, max], then a check of the public values near it.
import numpy as np


def clipping_bound(public_values, n, epsilon):
    """The clipping bound U with the smallest error of the private mean, from public values."""
    x = np.asarray(public_values, dtype=float)

    def squared_error(u):
        return (np.minimum(x, u).mean() - x.mean()) ** 2 + 2 * u**2 / (epsilon * n) ** 2

    low, high = 0.0, float(x.max())
    for _ in range(200):
        a, b = low + (high - low) / 3, high - (high - low) / 3
        if squared_error(a) <= squared_error(b):
            high = b
        else:
            low = a
    return (low + high) / 2
