# Right probabilities, but draws from numpy's global generator instead of rng.
import numpy as np


def private_clip_norm(norms, candidates, quantile, epsilon, rng):
    """A candidate clip norm near the quantile of norms, by the exponential mechanism."""
    norms, candidates = np.asarray(norms, float), np.asarray(candidates, float)
    below = (norms[None, :] <= candidates[:, None]).sum(axis=1)
    logits = -epsilon * np.abs(below - quantile * norms.size) / 2
    weights = np.exp(logits - logits.max())
    return float(np.random.choice(candidates, p=weights / weights.sum()))  # noqa: NPY002
