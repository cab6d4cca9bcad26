# Wrong: the bias is in the recorded outcome (B's reoffences recorded more often), not in the feature: the aware model copies it.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """x measures risk without bias; y over-records B's reoffences."""
    group = np.where(rng.random(n) < 0.5, "B", "A")
    risk = rng.normal(size=n)
    x = risk + rng.normal(scale=0.5, size=n)
    p = 1 / (1 + np.exp(-2 * risk + 1.5 * (group == "B")))
    y = (rng.random(n) < p).astype(int)
    return pd.DataFrame({"x": x, "group": group, "y": y})
