# Right: groups from rng.choice (60/40), outcomes from rng.binomial, and B's feature recorded one unit too high.
import numpy as np
import pandas as pd


def unawareness_harm_data(n, rng):
    """Group B's recorded feature is inflated; the outcome depends on true risk only."""
    group = rng.choice(np.array(["A", "B"]), size=n, p=[0.6, 0.4])
    true_risk = rng.normal(0.0, 1.0, size=n)
    y = rng.binomial(1, 1 / (1 + np.exp(-3 * true_risk)))
    recorded = (
        true_risk + np.where(group == "B", 1.0, 0.0) + rng.normal(0.0, 0.3, size=n)
    )
    frame = pd.DataFrame({"group": group, "y": y})
    frame["x"] = recorded
    return frame[["x", "group", "y"]]
