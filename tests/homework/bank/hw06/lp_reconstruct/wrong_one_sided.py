# Writes only A x <= b + bound (one side of the absolute value): x = 0 is consistent.
import numpy as np
from scipy.optimize import linprog


def lp_reconstruct(queries, answers, bound):
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    n = a.shape[1]
    res = linprog(np.zeros(n), A_ub=a, b_ub=b + bound, bounds=[(0, 1)] * n)
    return res.x
