# Wrong: the textbook (Wald) interval rate +- z sqrt(rate (1 - rate) / n), clipped to [0, 1].
from statistics import NormalDist

import numpy as np
import pandas as pd


def calibration_intervals(scores, y_true, groups, level=0.95):
    """Outcome rate and its Wald interval for each (score, group) pair."""
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
    half = z * np.sqrt(table["rate"] * (1 - table["rate"]) / table["n"])
    table["low"] = (table["rate"] - half).clip(0, 1)
    table["high"] = (table["rate"] + half).clip(0, 1)
    return table
