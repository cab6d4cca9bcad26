# Wrong: z = NormalDist().inv_cdf(level), the one-sided quantile (1.645 instead of 1.96 at 95%).
from statistics import NormalDist

import numpy as np
import pandas as pd


def calibration_intervals(scores, y_true, groups, level=0.95):
    """Outcome rate and its Wilson interval for each (score, group) pair."""
    cells = pd.DataFrame(
        {
            "score": np.asarray(scores),
            "group": np.asarray(groups),
            "y": np.asarray(y_true, dtype=float),
        }
    )
    table = (
        cells.groupby(["score", "group"])["y"].agg(n="size", rate="mean").reset_index()
    )
    z = NormalDist().inv_cdf(level)
    n, rate = table["n"], table["rate"]
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    table["low"], table["high"] = centre - half, centre + half
    return table
