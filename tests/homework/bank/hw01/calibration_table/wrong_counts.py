# Counts reoffenders instead of computing the rate.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    y = pd.Series(np.asarray(y_true, dtype=float))
    return y.groupby([np.asarray(scores), np.asarray(groups)]).sum().unstack()
