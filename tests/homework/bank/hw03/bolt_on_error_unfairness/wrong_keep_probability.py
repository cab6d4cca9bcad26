# Reads p as the probability of keeping a prediction, not of replacing it.
import numpy as np
import pandas as pd


def bolt_on_error_unfairness(y_true, y_pred, groups, group, p):
    """Expected (error, FPR gap) after randomising group's predictions with probability p."""
    y = np.asarray(y_true).astype(int)
    pred = np.asarray(y_pred).astype(int)
    g = np.asarray(groups)
    prob_one = np.where(g == group, p * pred + (1 - p) * 0.5, pred)
    prob_wrong = np.where(y == 1, 1 - prob_one, prob_one)
    negatives = pd.Series(prob_one[y == 0]).groupby(g[y == 0]).mean()
    return float(prob_wrong.mean()), float(negatives.max() - negatives.min())
