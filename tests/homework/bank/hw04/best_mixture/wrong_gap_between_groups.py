# Bounds the gap between the groups' selection rates (largest minus smallest) instead of each group's gap to the overall rate.
import numpy as np
from scipy.optimize import linprog


def best_mixture(predictions, y, groups, eps):
    """Weights of the most accurate mixture that meets demographic parity within eps."""
    preds = np.asarray(predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    error = (preds != y).mean(axis=1)
    rates = np.array([preds[:, groups == g].mean(axis=1) for g in np.unique(groups)])
    pairs = [
        rates[i] - rates[j]
        for i in range(len(rates))
        for j in range(len(rates))
        if i != j
    ]
    result = linprog(
        error,
        A_ub=np.array(pairs),
        b_ub=np.full(len(pairs), float(eps)),
        A_eq=np.ones((1, len(error))),
        b_eq=[1.0],
        bounds=(0, None),
    )
    return result.x
