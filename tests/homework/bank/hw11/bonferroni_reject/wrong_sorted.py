# Sorts the p-values first and returns the decisions in sorted order.
import numpy as np


def bonferroni_reject(pvalues, alpha):
    """Which hypotheses the Bonferroni correction rejects at family-wise level alpha."""
    p = np.sort(np.asarray(pvalues, dtype=float))
    return p <= alpha / p.size
