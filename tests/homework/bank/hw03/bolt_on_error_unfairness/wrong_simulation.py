# Estimates the expectations by simulating coin flips instead of computing them.
import numpy as np
import pandas as pd


def bolt_on_error_unfairness(y_true, y_pred, groups, group, p):
    """Expected (error, FPR gap) after randomising group's predictions with probability p."""
    y = np.asarray(y_true).astype(int)
    pred = np.asarray(y_pred).astype(int)
    g = np.asarray(groups)
    rng = np.random.default_rng(0)
    errors, gaps = [], []
    for _ in range(200):
        replace = (g == group) & (rng.random(len(y)) < p)
        new = np.where(replace, rng.random(len(y)) < 0.5, pred)
        errors.append(np.mean(new != y))
        fpr = pd.Series(new[y == 0]).groupby(g[y == 0]).mean()
        gaps.append(fpr.max() - fpr.min())
    return float(np.mean(errors)), float(np.mean(gaps))
