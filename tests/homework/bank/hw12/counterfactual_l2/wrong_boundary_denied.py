# Treats a point exactly on the boundary as denied: with nothing mutable it returns None instead of x.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    s, m = np.asarray(scale, dtype=float), np.asarray(mutable, dtype=bool)
    score = w @ x + b
    if score > 0:
        return x.copy()
    a = np.where(m, w * s, 0.0)
    if not np.any(a):
        return None
    return x - s * score * a / (a @ a)
