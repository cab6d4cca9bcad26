# Multiplies by the number of queries instead of dividing the budget.
import numpy as np


def laplace_scales(sensitivities, total_epsilon, disjoint):
    """Laplace scale of each of k queries sharing total_epsilon equally."""
    sens = np.array(list(sensitivities), dtype=float)
    factor = 1 if disjoint else len(sens)
    return factor * sens / total_epsilon
