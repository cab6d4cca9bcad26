# Puts groups on the rows and scores on the columns.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    y = pd.Series(np.asarray(y_true, dtype=float))
    return y.groupby([np.asarray(groups), np.asarray(scores)]).mean().unstack()
