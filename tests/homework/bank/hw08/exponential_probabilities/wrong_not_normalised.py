# Returns the stabilised weights without dividing by their sum.
import numpy as np


def exponential_probabilities(utilities, sensitivity, epsilon):
    """Selection probabilities of the exponential mechanism."""
    scores = epsilon * np.asarray(utilities, dtype=float) / (2 * sensitivity)
    return np.exp(scores - scores.max())
