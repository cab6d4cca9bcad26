# Counts each person at most once per cell and caps the places, not the visits.
import numpy as np


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    pairs = np.unique(np.c_[np.asarray(person), np.asarray(cell)], axis=0)
    pairs = pairs[rng.permutation(len(pairs))]
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    start = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
    index = np.arange(len(pairs))
    rank = index - np.maximum.accumulate(np.where(start, index, 0))
    kept = pairs[rank < cap, 1]
    return np.bincount(kept, minlength=n_cells) + rng.laplace(0, cap / epsilon, n_cells)
