# Wrong: Wilson's half-width, but centred on the observed rate instead of the shrunk centre.
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
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    n, rate = table["n"], table["rate"]
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    table["low"], table["high"] = rate - half, rate + half
    return table
