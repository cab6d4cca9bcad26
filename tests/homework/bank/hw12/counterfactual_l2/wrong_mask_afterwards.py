# Projects with every feature, then resets the immutable ones: no longer approved.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w, x, s = np.asarray(w, float), np.asarray(x, float), np.asarray(scale, float)
    m = np.asarray(mutable, bool)
    need = -(w @ x + b)
    if need <= 0:
        return x.copy()
    if not (m & (w != 0)).any():
        return None
    a = w * s
    new = x + s * need * a / (a @ a)
    return np.where(m, new, x)
