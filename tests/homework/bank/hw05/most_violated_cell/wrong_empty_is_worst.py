# Gives a subgroup with no negatives the violation 1 instead of 0 (alpha(g) = 0).
import itertools

import numpy as np


def most_violated_cell(y_true, y_pred, A):
    """The intersection of A's binary columns with the largest FP violation."""
    y = np.asarray(y_true).astype(int)
    p = np.asarray(y_pred).astype(float)
    negative = y == 0
    overall = p[negative].mean()
    columns = list(A.columns)
    values = {c: np.asarray(A[c]).astype(int) for c in columns}
    best, best_violation = None, -1.0
    for choice in itertools.product([None, 0, 1], repeat=len(columns)):
        conditions = {
            c: v for c, v in zip(columns, choice, strict=True) if v is not None
        }
        if not conditions:
            continue
        g = negative.copy()
        for c, v in conditions.items():
            g &= values[c] == v
        # A subgroup without negatives has an undefined FPR: treat it as maximally unfair.
        violation = float(g.mean() * abs(p[g].mean() - overall)) if g.any() else 1.0
        if violation > best_violation:
            best, best_violation = conditions, violation
    return best, best_violation
