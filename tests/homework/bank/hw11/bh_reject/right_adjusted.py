# Correct, through the adjusted p-values (running minimum from the largest down).
import numpy as np


def bh_reject(pvalues, alpha):
    """Which hypotheses the Benjamini-Hochberg procedure rejects at FDR level alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum.accumulate(scaled[::-1])[::-1]
    return adjusted <= alpha
