# Compares selection rates (share predicted 1) instead of false positive rates.
import numpy as np
import pandas as pd


def marginal_fpr_gaps(y_true, y_pred, A):
    p = np.asarray(y_pred).astype(float)
    gaps = {}
    for column in A.columns:
        a = np.asarray(A[column]).astype(int)
        gaps[column] = abs(p[a == 1].mean() - p[a == 0].mean())
    return pd.Series(gaps)
