# Divides false positives by the whole group instead of by its negatives.
import numpy as np
import pandas as pd


def marginal_fpr_gaps(y_true, y_pred, A):
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(int)
    false_positive = (p == 1) & (y == 0)
    gaps = {}
    for column in A.columns:
        a = np.asarray(A[column]).astype(int)
        gaps[column] = abs(
            false_positive[a == 1].mean() - false_positive[a == 0].mean()
        )
    return pd.Series(gaps)
