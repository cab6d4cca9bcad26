# Rounds the least-squares solution at 1/4 instead of 1/2 (counts every doubtful bit as a 1).
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    return (x >= 0.25).astype(int)
