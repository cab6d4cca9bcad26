# Compares each sorted p-value with its own threshold only (no step-up).
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    reject = np.zeros(m, dtype=bool)
    reject[order] = p[order] <= alpha * np.arange(1, m + 1) / m
    return reject
