# Compares the rows with value 1 with the overall FPR, not with the rows with value 0.
import numpy as np
import pandas as pd


def marginal_fpr_gaps(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    overall = p[y == 0].mean()
    gaps = {}
    for column in A.columns:
        a = np.asarray(A[column]).astype(int)
        gaps[column] = abs(p[(y == 0) & (a == 1)].mean() - overall)
    return pd.Series(gaps)
