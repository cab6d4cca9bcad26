# Correct: the minimum-norm solution of one linear equation, by least squares.
import numpy as np


def counterfactual_l2(w, b, x, mutable, scale):
    """Cheapest approved point in scaled L2 cost, changing mutable features only."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    s = np.asarray(scale, dtype=float)
    free = np.flatnonzero(np.asarray(mutable, dtype=bool))
    score = float(w @ x + b)
    if score >= 0:
        return x.copy()
    coefficients = (w[free] * s[free])[None, :]
    if not np.any(coefficients):
        return None
    # u = (x' - x) / s on the free features: the shortest u with a @ u = -score.
    u = np.linalg.lstsq(coefficients, np.array([-score]), rcond=None)[0]
    new = x.copy()
    new[free] += s[free] * u
    return new
