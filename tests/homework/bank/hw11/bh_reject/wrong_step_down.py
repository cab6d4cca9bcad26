# Walks up from the smallest p-value and stops at the first one that fails.
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    reject = np.zeros(m, dtype=bool)
    for i, idx in enumerate(order):
        if p[idx] > alpha * (i + 1) / m:
            break
        reject[idx] = True
    return reject
