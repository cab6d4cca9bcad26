# Correct: scipy's softmax of the scores.
import numpy as np
from scipy.special import softmax


def exponential_probabilities(utilities, sensitivity, epsilon):
    """Selection probabilities of the exponential mechanism."""
    return softmax(np.asarray(utilities, dtype=float) * (epsilon / 2 / sensitivity))
