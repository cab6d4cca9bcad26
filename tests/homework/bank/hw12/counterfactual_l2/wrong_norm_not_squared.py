# Divides by the norm of the scaled weights instead of its square.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w, x, s = np.asarray(w, float), np.asarray(x, float), np.asarray(scale, float)
    need = -(w @ x + b)
    if need <= 0:
        return x.copy()
    a = np.where(np.asarray(mutable, bool), w * s, 0.0)
    if not a.any():
        return None
    return x + s * need * a / np.linalg.norm(a)
