# Correct: adds the largest possible gain of each mutable feature, column by column.
import numpy as np


def recourse_exists(w, b, X, mutable, lower, upper):
    """For each row of X: can it be approved by moving its mutable features in the box?"""
    X = np.asarray(X, dtype=float)
    score = X @ np.asarray(w, dtype=float) + b
    for j, (wj, movable) in enumerate(zip(w, mutable, strict=True)):
        if movable and wj > 0:
            score = score + wj * (upper[j] - X[:, j])
        elif movable and wj < 0:
            score = score + wj * (lower[j] - X[:, j])
    return np.asarray(score >= 0, dtype=bool)
