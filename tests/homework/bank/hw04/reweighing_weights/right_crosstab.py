# Correct, through a crosstab of counts: w = n_g * n_y / (n * n_gy).
import numpy as np
import pandas as pd


def reweighing_weights(y, groups):
    y = pd.Series(np.asarray(y))
    g = pd.Series(np.asarray(groups))
    counts = pd.crosstab(g, y)
    n = len(y)
    table = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / (n * counts.to_numpy())
    rows = counts.index.get_indexer(g)
    cols = counts.columns.get_indexer(y)
    return table[rows, cols]
