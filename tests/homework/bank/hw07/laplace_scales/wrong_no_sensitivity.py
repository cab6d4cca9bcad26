# Forgets each query's sensitivity: scale 1 / epsilon_each.
import numpy as np


def laplace_scales(sensitivities, total_epsilon, disjoint):
    """Laplace scale of each of k queries sharing total_epsilon equally."""
    k = len(sensitivities)
    epsilon_each = total_epsilon if disjoint else total_epsilon / k
    return np.full(k, 1 / epsilon_each)
