# Correct procedure, but returns the decisions in sorted order.
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.sort(np.asarray(pvalues, dtype=float))
    m = p.size
    passes = np.flatnonzero(p <= alpha * np.arange(1, m + 1) / m)
    k = passes[-1] + 1 if passes.size else 0
    return np.arange(m) < k
