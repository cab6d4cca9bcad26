# Splits the budget over the queries even when they are disjoint.
import numpy as np


def laplace_scales(sensitivities, total_epsilon, disjoint):
    """Laplace scale of each of k queries sharing total_epsilon equally."""
    sens = np.asarray(sensitivities, dtype=float)
    return sens / (total_epsilon / sens.size)
