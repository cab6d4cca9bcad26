# Ignores the bounds: anyone with a mutable feature of nonzero weight has recourse.
import numpy as np


def recourse_exists(w, b, X, mutable, lower, upper):
    """For each row of X: can it be approved by moving its mutable features in the box?"""
    w, X = np.asarray(w, float), np.asarray(X, float)
    can_move = bool(np.any(np.asarray(mutable, bool) & (w != 0)))
    return (X @ w + b >= 0) | can_move
