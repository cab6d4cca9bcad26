# Keeps each person's first cap visits in the order given, not a random choice.
import numpy as np


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    who = np.asarray(person)
    order = np.argsort(who, kind="stable")
    grouped = who[order]
    start = np.r_[True, grouped[1:] != grouped[:-1]]
    index = np.arange(grouped.size)
    rank = index - np.maximum.accumulate(np.where(start, index, 0))
    kept = np.asarray(cell)[order[rank < cap]]
    return np.bincount(kept, minlength=n_cells) + rng.laplace(0, cap / epsilon, n_cells)
