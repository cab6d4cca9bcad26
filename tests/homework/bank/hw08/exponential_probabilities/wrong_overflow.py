# Exponentiates without subtracting the largest score: overflows for large utilities.
import numpy as np


def exponential_probabilities(utilities, sensitivity, epsilon):
    """Selection probabilities of the exponential mechanism."""
    with np.errstate(over="ignore", invalid="ignore"):
        weights = np.exp(
            epsilon * np.asarray(utilities, dtype=float) / (2 * sensitivity)
        )
        return weights / weights.sum()
