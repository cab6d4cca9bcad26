# Guesses each bit from the mean answer of the queries that include the person versus those that do not.
import numpy as np


def lstsq_reconstruct(queries, answers):
    """Secret bits recovered from (noisy) subset-sum answers by least squares."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    inside = (a * b[:, None]).sum(axis=0) / a.sum(axis=0)
    outside = ((1 - a) * b[:, None]).sum(axis=0) / (1 - a).sum(axis=0)
    return (inside - outside >= 0.5).astype(int)
