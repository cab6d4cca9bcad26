# Projects onto the boundary along w, changing the immutable features too.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w, x, s = np.asarray(w, float), np.asarray(x, float), np.asarray(scale, float)
    need = -(w @ x + b)
    if need <= 0:
        return x.copy()
    if not (np.asarray(mutable, bool) & (w != 0)).any():
        return None
    a = w * s
    return x + s * need * a / (a @ a)
