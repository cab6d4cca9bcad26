# Correct, by the Gumbel-max trick: the argmax of eps * u / 2 plus Gumbel noise.
import numpy as np


def private_clip_norm(norms, candidates, quantile, epsilon, rng):
    """A candidate clip norm near the quantile of norms, by the exponential mechanism."""
    sorted_norms = np.sort(np.asarray(norms, dtype=float))
    below = np.searchsorted(sorted_norms, candidates, side="right")
    scores = -np.abs(below - quantile * len(sorted_norms))
    noisy = epsilon * scores / 2 + rng.gumbel(size=len(candidates))
    return float(candidates[int(np.argmax(noisy))])
