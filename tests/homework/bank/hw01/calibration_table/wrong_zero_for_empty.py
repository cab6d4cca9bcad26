# Fills combinations with no one in them with 0 instead of NaN.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    y = pd.Series(np.asarray(y_true, dtype=float))
    table = y.groupby([np.asarray(scores), np.asarray(groups)]).mean().unstack()
    return table.fillna(0.0)
