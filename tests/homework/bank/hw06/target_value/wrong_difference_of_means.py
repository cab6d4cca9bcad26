# Returns the difference of the two means.
import numpy as np


def target_value(mean_all, mean_rest, n_all):
    """The excluded person's value, from the two averages and the group size."""
    return np.asarray(mean_all) - np.asarray(mean_rest)
