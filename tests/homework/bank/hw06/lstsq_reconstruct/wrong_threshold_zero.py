# Rounds at 0 instead of 1/2 (any positive estimate becomes a 1).
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.asarray(queries, dtype=float)
    x = np.linalg.lstsq(a, np.asarray(answers, dtype=float), rcond=None)[0]
    return (x > 0).astype(int)
