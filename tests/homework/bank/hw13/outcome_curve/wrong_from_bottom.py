# Lends to the lowest scores first (reads the cells in the order given).
import numpy as np


def outcome_curve(pmf, delta, rates):
    """Mean score change of a group, per member, when the top `rate` of it gets a loan."""
    pmf = np.asarray(pmf, dtype=float)
    delta = np.asarray(delta, dtype=float)
    below = np.cumsum(pmf) - pmf
    out = []
    for rate in np.asarray(rates, dtype=float):
        lent = np.clip(rate - below, 0.0, pmf)
        out.append(float(lent @ delta))
    return np.array(out)
