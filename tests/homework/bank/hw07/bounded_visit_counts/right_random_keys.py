# Random keys: lexsort by (random key, person), then the first cap rows of each person's block.
import numpy as np


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    who = np.asarray(person)
    where = np.asarray(cell)
    order = np.lexsort((rng.random(who.size), who))
    who, where = who[order], where[order]
    first = np.searchsorted(who, who, side="left")  # start of each person's block
    kept = where[np.arange(who.size) - first < cap]
    noise = rng.exponential(cap / epsilon, n_cells) - rng.exponential(
        cap / epsilon, n_cells
    )
    return np.bincount(kept, minlength=n_cells) + noise
