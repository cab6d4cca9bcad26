# Forgets the sensitivity: exp(epsilon * u / 2).
import numpy as np


def exponential_probabilities(utilities, sensitivity, epsilon):
    """Selection probabilities of the exponential mechanism."""
    scores = epsilon * np.asarray(utilities, dtype=float) / 2
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()
