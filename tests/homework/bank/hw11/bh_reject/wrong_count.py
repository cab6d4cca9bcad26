# Takes k as the number of sorted p-values that pass, not the largest passing rank.
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    k = int(np.sum(p[order] <= alpha * np.arange(1, m + 1) / m))
    reject = np.zeros(m, dtype=bool)
    reject[order[:k]] = True
    return reject
