# Lets every feature move within its bounds, ignoring which ones are mutable.
import numpy as np


def recourse_exists(w, b, X, mutable, lower, upper):
    """For each row of X: can it be approved by moving its mutable features in the box?"""
    w, X = np.asarray(w, float), np.asarray(X, float)
    best_score = np.where(w > 0, upper, lower) @ w + b
    return np.full(len(X), best_score >= 0) | (X @ w + b >= 0)
