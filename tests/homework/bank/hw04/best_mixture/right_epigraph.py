# Correct: the LP in its epigraph form, written with pandas and an explicit feasibility variable.
import numpy as np
import pandas as pd
from scipy.optimize import linprog


def best_mixture(predictions, y, groups, eps):
    """Weights of the most accurate mixture that meets demographic parity within eps."""
    frame = pd.DataFrame(np.asarray(predictions).T)
    m = frame.shape[1]
    wrong = frame.ne(pd.Series(np.asarray(y)), axis=0).mean().to_numpy()
    by_group = frame.groupby(np.asarray(groups)).mean() - frame.mean()
    # Variables: the m weights and v >= the largest |gap|, with v <= eps.
    cost = np.r_[wrong, 0.0]
    upper = np.hstack([by_group.to_numpy(), -np.ones((len(by_group), 1))])
    lower = np.hstack([-by_group.to_numpy(), -np.ones((len(by_group), 1))])
    result = linprog(
        cost,
        A_ub=np.vstack([upper, lower]),
        b_ub=np.zeros(2 * len(by_group)),
        A_eq=np.r_[np.ones(m), 0.0].reshape(1, -1),
        b_eq=[1.0],
        bounds=[(0, 1)] * m + [(0, eps)],
        method="highs-ds",
    )
    return result.x[:m]
