# Compares each group's rate with the unweighted mean of the group rates, not with the rate over everyone.
import numpy as np
from scipy.optimize import linprog


def best_mixture(predictions, y, groups, eps):
    """Weights of the most accurate mixture that meets demographic parity within eps."""
    preds = np.asarray(predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    error = (preds != y).mean(axis=1)
    rates = np.array([preds[:, groups == g].mean(axis=1) for g in np.unique(groups)])
    gaps = rates - rates.mean(axis=0)
    result = linprog(
        error,
        A_ub=np.vstack([gaps, -gaps]),
        b_ub=np.full(2 * len(gaps), float(eps)),
        A_eq=np.ones((1, len(error))),
        b_eq=[1.0],
        bounds=(0, None),
    )
    return result.x
