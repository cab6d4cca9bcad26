# Returns the real least-squares solution without rounding it to bits.
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.asarray(queries, dtype=float)
    return np.linalg.lstsq(a, np.asarray(answers, dtype=float), rcond=None)[0]
