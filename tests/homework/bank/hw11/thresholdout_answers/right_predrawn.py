# Correct, with all eta drawn up front and xi, gamma drawn in the other order.
import numpy as np


def thresholdout_answers(train_values, holdout_values, threshold, sigma, budget, rng):
    """Thresholdout's answers to a sequence of queries (NaN once the budget is spent)."""
    t = np.asarray(train_values, dtype=float).ravel()
    h = np.asarray(holdout_values, dtype=float).ravel()
    etas = rng.laplace(0.0, 4 * sigma, size=t.size)
    gamma = rng.laplace(0.0, 2 * sigma)
    remaining = budget
    out = []
    for ti, hi, eta in zip(t, h, etas, strict=True):
        if remaining < 1:
            out.append(np.nan)
        elif abs(hi - ti) > threshold + gamma + eta:
            gamma = rng.laplace(0.0, 2 * sigma)
            out.append(hi + rng.laplace(0.0, sigma))
            remaining -= 1
        else:
            out.append(ti)
    return np.array(out, dtype=float)
