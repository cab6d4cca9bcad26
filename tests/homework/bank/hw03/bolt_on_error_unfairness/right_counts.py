# Correct: the closed form from counts, rate(p) = (1 - p) * rate(0) + p / 2.
import numpy as np


def bolt_on_error_unfairness(y_true, y_pred, groups, group, p):
    """Expected (error, FPR gap) after randomising group's predictions with probability p."""
    y = np.asarray(y_true).astype(bool)
    yhat = np.asarray(y_pred).astype(bool)
    g = np.asarray(groups)
    wrong = yhat != y
    inside = g == group
    # A randomised row is wrong with probability 1/2 whatever its label.
    error = wrong[~inside].sum() + (1 - p) * wrong[inside].sum() + p * inside.sum() / 2
    error = error / len(y)
    fprs = []
    for label in np.unique(g):
        negatives = (g == label) & ~y
        fpr = yhat[negatives].mean()
        if label == group:
            fpr = (1 - p) * fpr + p / 2
        fprs.append(fpr)
    return error, max(fprs) - min(fprs)
