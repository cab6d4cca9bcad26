# Returns the change x' - x instead of the counterfactual point x'.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w, x, s = np.asarray(w, float), np.asarray(x, float), np.asarray(scale, float)
    need = -(w @ x + b)
    if need <= 0:
        return np.zeros_like(x)
    a = np.where(np.asarray(mutable, bool), w * s, 0.0)
    if not a.any():
        return None
    return s * need * a / (a @ a)
