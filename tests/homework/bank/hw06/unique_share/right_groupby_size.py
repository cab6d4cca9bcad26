# Correct: class sizes with groupby (dropna=False), share of classes of size 1.
import numpy as np


def unique_share(df, quasi_identifiers):
    """Share of the rows of df that no other row matches on quasi_identifiers."""
    ids = df.groupby(list(quasi_identifiers), dropna=False, observed=True).ngroup()
    sizes = np.bincount(ids.to_numpy())[ids.to_numpy()]
    return float(np.mean(sizes == 1))
