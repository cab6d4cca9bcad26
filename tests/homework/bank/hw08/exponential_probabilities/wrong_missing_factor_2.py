# Leaves out the factor 2: exp(epsilon * u / sensitivity).
import numpy as np


def exponential_probabilities(utilities, sensitivity, epsilon):
    """Selection probabilities of the exponential mechanism."""
    scores = epsilon * np.asarray(utilities, dtype=float) / sensitivity
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()
