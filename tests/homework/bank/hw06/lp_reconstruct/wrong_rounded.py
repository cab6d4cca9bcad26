# Rounds the consistent vector before returning it: the bits need not be within bound of every answer.
import numpy as np
from scipy.optimize import linprog


def lp_reconstruct(queries, answers, bound):
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    n = a.shape[1]
    res = linprog(
        np.zeros(n),
        A_ub=np.vstack([a, -a]),
        b_ub=np.concatenate([b + bound, bound - b]),
        bounds=[(0, 1)] * n,
    )
    return (res.x >= 0.5).astype(float)
