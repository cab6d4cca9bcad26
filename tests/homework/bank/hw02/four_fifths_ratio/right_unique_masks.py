# Correct: one boolean mask per distinct group, numpy only.
import numpy as np


def four_fifths_ratio(y_pred, groups):
    """Smallest over largest selection rate, and whether it is at least 0.8."""
    y = np.asarray(y_pred).astype(int)
    g = np.asarray(groups)
    rates = [y[g == label].mean() for label in np.unique(g)]
    ratio = min(rates) / max(rates)
    return ratio, bool(ratio >= 0.8)
