# Divides by the rate: the mean change among the borrowers, not per member of the group.
import numpy as np


def outcome_curve(pmf, delta, rates):
    """Mean score change of a group, per member, when the top `rate` of it gets a loan."""
    pmf = np.asarray(pmf, dtype=float)
    delta = np.asarray(delta, dtype=float)
    above = np.cumsum(pmf[::-1])[::-1] - pmf
    out = []
    for rate in np.asarray(rates, dtype=float):
        lent = np.clip(rate - above, 0.0, pmf)
        out.append(float(lent @ delta) / rate if rate > 0 else 0.0)
    return np.array(out)
