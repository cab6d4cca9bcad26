# Requires a strictly positive best score: a score of exactly 0 is approved.
import numpy as np


def recourse_exists(w, b, X, mutable, lower, upper):
    """For each row of X: can it be approved by moving its mutable features in the box?"""
    w, X = np.asarray(w, float), np.asarray(X, float)
    target = np.where(w > 0, upper, lower)
    best = np.where(np.asarray(mutable, bool), target, X)
    return best @ w + b > 0
