# The chapter's LP decoding: minimises the total error sum |A x - b| over [0, 1]^n, which can leave some answers more than bound away.
import numpy as np
from scipy.optimize import linprog


def lp_reconstruct(queries, answers, bound):
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    m, n = a.shape
    cost = np.concatenate([np.zeros(n), np.ones(m)])
    a_ub = np.block([[a, -np.eye(m)], [-a, -np.eye(m)]])
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.concatenate([b, -b]),
        bounds=[(0, 1)] * n + [(0, None)] * m,
    )
    return res.x[:n]
