# Correct, differently: one slack t with |A x - b| <= t, minimise t over [0, 1]^n (the smallest worst error is at most bound).
import numpy as np
from scipy.optimize import linprog


def lp_reconstruct(queries, answers, bound):
    A = np.array(queries, dtype=float)
    b = np.array(answers, dtype=float)
    m, n = A.shape
    ones = np.ones((m, 1))
    # Variables (x, t): A x - t <= b and -A x - t <= -b.
    A_ub = np.block([[A, -ones], [-A, -ones]])
    b_ub = np.concatenate([b, -b])
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=[(0, 1)] * n + [(0, None)])
    return res.x[:n]
