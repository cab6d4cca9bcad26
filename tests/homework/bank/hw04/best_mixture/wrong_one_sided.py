# Bounds each group's selection rate only from above (rate - overall <= eps), forgetting the absolute value.
import numpy as np
from scipy.optimize import linprog


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
    result = linprog(
        error,
        A_ub=gaps,
        b_ub=np.full(len(gaps), float(eps)),
        A_eq=np.ones((1, len(error))),
        b_eq=[1.0],
        bounds=(0, None),
    )
    return result.x
