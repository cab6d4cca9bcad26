# Uses ratio > 0.8, so a ratio of exactly 0.8 fails.
import numpy as np
import pandas as pd


def four_fifths_ratio(y_pred, groups):
    rates = (
        pd.Series(np.asarray(y_pred, dtype=float)).groupby(np.asarray(groups)).mean()
    )
    ratio = float(rates.min() / rates.max())
    return ratio, ratio > 0.8
