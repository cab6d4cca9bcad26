# Correct, from a per-group confusion matrix built with pandas.crosstab.
import numpy as np
import pandas as pd


def confusion_rates(y_true, y_pred, groups):
    y = pd.Series(np.asarray(y_true).astype(int), name="y")
    p = pd.Series(np.asarray(y_pred).astype(int), name="p")
    g = pd.Series(np.asarray(groups), name="g")
    m = pd.crosstab(g, [y, p]).reindex(
        columns=pd.MultiIndex.from_product([[0, 1], [0, 1]]), fill_value=0
    )
    tn, fp, fn, tp = m[(0, 0)], m[(0, 1)], m[(1, 0)], m[(1, 1)]
    n = tn + fp + fn + tp
    return pd.DataFrame(
        {
            "ppv": tp / (tp + fp),
            "fnr": fn / (fn + tp),
            "fpr": fp / (fp + tn),
            "base_rate": (tp + fn) / n,
            "count": n,
        }
    ).sort_index()
