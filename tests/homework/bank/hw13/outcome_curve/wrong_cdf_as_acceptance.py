# Accepts every cell whose CDF exceeds 1 - rate, in full: the boundary cell is lent to entirely.
import numpy as np


def outcome_curve(pmf, delta, rates):
    """Mean score change of a group, per member, when the top `rate` of it gets a loan."""
    pmf = np.asarray(pmf, dtype=float)
    delta = np.asarray(delta, dtype=float)
    cdf = np.cumsum(pmf)
    out = []
    for rate in np.asarray(rates, dtype=float):
        accepted = cdf > 1 - rate
        out.append(float(np.sum(pmf * accepted * delta)))
    return np.array(out)
