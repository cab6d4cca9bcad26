# Moves every mutable feature to its upper bound, whatever the sign of its weight.
import numpy as np


def recourse_exists(w, b, X, mutable, lower, upper):
    """For each row of X: can it be approved by moving its mutable features in the box?"""
    w, X = np.asarray(w, float), np.asarray(X, float)
    best = np.where(np.asarray(mutable, bool), np.asarray(upper, float), X)
    return (best @ w + b >= 0) | (X @ w + b >= 0)
