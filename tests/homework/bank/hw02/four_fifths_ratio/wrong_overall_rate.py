# Divides the smallest group's selection rate by the overall selection rate.
import numpy as np
import pandas as pd


def four_fifths_ratio(y_pred, groups):
    y = np.asarray(y_pred, dtype=float)
    rates = pd.Series(y).groupby(np.asarray(groups)).mean()
    ratio = float(rates.min() / y.mean())
    return ratio, ratio >= 0.8
