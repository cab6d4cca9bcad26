# Compares the shares predicted 0 instead of the shares selected.
import numpy as np
import pandas as pd


def four_fifths_ratio(y_pred, groups):
    rejected = 1 - np.asarray(y_pred, dtype=float)
    rates = pd.Series(rejected).groupby(np.asarray(groups)).mean()
    ratio = float(rates.min() / rates.max())
    return ratio, ratio >= 0.8
