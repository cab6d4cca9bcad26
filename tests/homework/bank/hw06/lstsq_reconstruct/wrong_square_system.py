# Solves only the first n queries as a square system, ignoring the others.
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    n = a.shape[1]
    x = np.linalg.solve(a[:n], b[:n])
    return (x >= 0.5).astype(int)
