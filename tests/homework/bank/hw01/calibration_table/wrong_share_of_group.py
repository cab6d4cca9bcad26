# Divides by the group's reoffenders: the share of a group's reoffenders at each score.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    y = pd.Series(np.asarray(y_true, dtype=float))
    counts = y.groupby([np.asarray(scores), np.asarray(groups)]).sum().unstack()
    return counts / counts.sum()
