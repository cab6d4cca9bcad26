# Wrong: draws from numpy's global random state instead of rng, so the same seed does not give the same data.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """Group B's feature is inflated (but the randomness ignores rng)."""
    group = np.where(np.random.random(n) < 0.5, "B", "A")  # noqa: NPY002
    risk = np.random.normal(size=n)  # noqa: NPY002
    y = (np.random.random(n) < 1 / (1 + np.exp(-2 * risk))).astype(int)  # noqa: NPY002
    x = risk + 1.5 * (group == "B") + np.random.normal(scale=0.5, size=n)  # noqa: NPY002
    return pd.DataFrame({"x": x, "group": group, "y": y})
