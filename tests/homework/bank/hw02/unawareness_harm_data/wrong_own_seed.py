# Wrong: makes its own generator with a fixed seed, so every rng gives the same data.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """Group B's feature is inflated (with a generator of its own)."""
    rng = np.random.default_rng(0)
    group = np.where(rng.random(n) < 0.5, "B", "A")
    risk = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * risk))).astype(int)
    x = risk + 1.5 * (group == "B") + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({"x": x, "group": group, "y": y})
