# Wrong: B has a higher base rate but x measures risk the same way in both groups, so knowing the group does not help.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """Group B has a higher true risk; x measures it without bias."""
    group = np.where(rng.random(n) < 0.5, "B", "A")
    risk = rng.normal(size=n) + 0.8 * (group == "B")
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * (risk - 0.4)))).astype(int)
    x = risk + rng.normal(scale=0.5, size=n)
    return pd.DataFrame({"x": x, "group": group, "y": y})
