# Measures unfairness by the gap in selection rates instead of false positive rates.
import numpy as np
import pandas as pd


def bolt_on_error_unfairness(y_true, y_pred, groups, group, p):
    """Expected (error, FPR gap) after randomising group's predictions with probability p."""
    y = np.asarray(y_true).astype(int)
    pred = np.asarray(y_pred).astype(int)
    g = np.asarray(groups)
    prob_one = np.where(g == group, (1 - p) * pred + p * 0.5, pred)
    prob_wrong = np.where(y == 1, 1 - prob_one, prob_one)
    rates = pd.Series(prob_one).groupby(g).mean()
    return float(prob_wrong.mean()), float(rates.max() - rates.min())
