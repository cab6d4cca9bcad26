# Correct: solves the normal equations A^T A x = A^T b, then rounds at 1/2.
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.array(queries, dtype=float)
    b = np.array(answers, dtype=float)
    x = np.linalg.solve(a.T @ a, a.T @ b)
    return np.where(x >= 0.5, 1, 0)
