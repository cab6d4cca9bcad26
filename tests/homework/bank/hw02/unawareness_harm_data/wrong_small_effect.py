# Wrong: the right mechanism with too small an offset (0.2): the blind gap is worse, but not by 0.10.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """Group B's feature is inflated a little."""
    group = np.where(rng.random(n) < 0.5, "B", "A")
    risk = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * risk))).astype(int)
    x = risk + 0.2 * (group == "B") + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({"x": x, "group": group, "y": y})
