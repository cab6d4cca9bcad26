# Always projects onto the boundary, also for applicants who are already approved.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)
    s, m = np.asarray(scale, dtype=float), np.asarray(mutable, dtype=bool)
    score = w @ x + b
    a = np.where(m, w * s, 0.0)
    if not np.any(a):
        return None if score < 0 else x.copy()
    return x - s * score * a / (a @ a)
