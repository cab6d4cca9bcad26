# Wrong: builds the frame from the Series themselves, so pandas aligns rows on their indexes.
from statistics import NormalDist

import numpy as np
import pandas as pd


def calibration_intervals(scores, y_true, groups, level=0.95):
    """Outcome rate and its Wilson interval for each (score, group) pair."""
    cells = pd.DataFrame({"score": pd.Series(scores), "group": pd.Series(groups)})
    cells["y"] = pd.Series(np.asarray(y_true, dtype=float))
    cells = cells.dropna()
    table = (
        cells.groupby(["score", "group"])["y"].agg(n="size", rate="mean").reset_index()
    )
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    n, rate = table["n"], table["rate"]
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    table["low"], table["high"] = centre - half, centre + half
    return table
