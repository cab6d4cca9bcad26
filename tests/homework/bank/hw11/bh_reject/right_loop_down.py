# Correct, with a loop from the largest rank down to the first that passes.
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    values = [float(x) for x in pvalues]
    m = len(values)
    ordered = sorted(values)
    cutoff = None
    for k in range(m, 0, -1):
        if ordered[k - 1] <= alpha * k / m:
            cutoff = ordered[k - 1]
            break
    if cutoff is None:
        return np.zeros(m, dtype=bool)
    return np.array([x <= cutoff for x in values])
