# Converts the inputs with float(), so it fails on arrays.


def target_value(mean_all, mean_rest, n_all):
    """The excluded person's value, from the two averages and the group size."""
    return float(n_all) * float(mean_all) - (float(n_all) - 1) * float(mean_rest)
