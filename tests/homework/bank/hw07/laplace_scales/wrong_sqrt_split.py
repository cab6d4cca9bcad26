# Splits the budget by sqrt(k), as if advanced composition applied with no delta.
import numpy as np


def laplace_scales(sensitivities, total_epsilon, disjoint):
    """Laplace scale of each of k queries sharing total_epsilon equally."""
    sens = np.asarray(sensitivities, dtype=float)
    epsilon_each = total_epsilon if disjoint else total_epsilon / np.sqrt(sens.size)
    return sens / epsilon_each
