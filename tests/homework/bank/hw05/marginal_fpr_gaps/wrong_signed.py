# Returns the signed difference FPR(1) - FPR(0), not its absolute value.
import numpy as np
import pandas as pd


def marginal_fpr_gaps(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    gaps = {}
    for column in A.columns:
        a = np.asarray(A[column]).astype(int)
        gaps[column] = p[(y == 0) & (a == 1)].mean() - p[(y == 0) & (a == 0)].mean()
    return pd.Series(gaps)
