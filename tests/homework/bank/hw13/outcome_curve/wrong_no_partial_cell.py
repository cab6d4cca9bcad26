# Lends to whole cells only: the boundary cell, which would overshoot the rate, gets nothing.
import numpy as np


def outcome_curve(pmf, delta, rates):
    """Mean score change of a group, per member, when the top `rate` of it gets a loan."""
    pmf = np.asarray(pmf, dtype=float)
    delta = np.asarray(delta, dtype=float)
    served = np.cumsum(pmf[::-1])[::-1]  # mass of this cell and the cells above it
    out = []
    for rate in np.asarray(rates, dtype=float):
        accepted = served <= rate + 1e-12
        out.append(float(np.sum(pmf * accepted * delta)))
    return np.array(out)
