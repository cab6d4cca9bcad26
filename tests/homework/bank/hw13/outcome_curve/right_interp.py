# Correct: interpolates the cumulative sums from the top (the curve is piecewise linear).
import numpy as np


def outcome_curve(pmf, delta, rates):
    """Mean score change of a group, per member, when the top `rate` of it gets a loan."""
    p = np.asarray(pmf, dtype=float)[::-1]
    d = np.asarray(delta, dtype=float)[::-1]
    mass = np.concatenate([[0.0], np.cumsum(p)])
    impact = np.concatenate([[0.0], np.cumsum(p * d)])
    return np.interp(np.asarray(rates, dtype=float), mass, impact)
