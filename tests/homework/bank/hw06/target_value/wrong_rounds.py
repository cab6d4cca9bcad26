# Rounds the result to a whole number.
import numpy as np


def target_value(mean_all, mean_rest, n_all):
    """The excluded person's value, from the two averages and the group size."""
    n_all = np.asarray(n_all)
    return np.round(n_all * np.asarray(mean_all) - (n_all - 1) * np.asarray(mean_rest))
