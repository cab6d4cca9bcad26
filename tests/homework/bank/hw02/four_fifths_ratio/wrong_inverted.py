# Divides the largest selection rate by the smallest (the inverse ratio).
import numpy as np
import pandas as pd


def four_fifths_ratio(y_pred, groups):
    rates = (
        pd.Series(np.asarray(y_pred, dtype=float)).groupby(np.asarray(groups)).mean()
    )
    ratio = float(rates.max() / rates.min())
    return ratio, ratio <= 1.25
