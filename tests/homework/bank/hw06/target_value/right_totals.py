# Correct: the total of everyone minus the total of the others.
import numpy as np


def target_value(mean_all, mean_rest, n_all):
    """The excluded person's value, from the two averages and the group size."""
    total_all = np.multiply(mean_all, n_all)
    total_rest = np.multiply(mean_rest, np.subtract(n_all, 1))
    return total_all - total_rest
