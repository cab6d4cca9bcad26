# pandas: shuffle the visits, number each person's visits with cumcount, keep the first cap.
import numpy as np
import pandas as pd


def bounded_visit_counts(person, cell, n_cells, cap, epsilon, rng):
    """Noisy visit counts per cell, keeping at most cap random visits per person."""
    visits = pd.DataFrame({"person": np.asarray(person), "cell": np.asarray(cell)})
    visits = visits.sample(frac=1.0, random_state=rng)
    kept = visits[visits.groupby("person").cumcount() < cap]
    counts = kept["cell"].value_counts().reindex(range(n_cells), fill_value=0)
    return counts.to_numpy(dtype=float) + rng.laplace(size=n_cells, scale=cap / epsilon)
