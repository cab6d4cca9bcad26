# Uses a strict inequality, so a p-value equal to alpha / m is not rejected.
import numpy as np


def bonferroni_reject(pvalues, alpha):
    """Which hypotheses the Bonferroni correction rejects at family-wise level alpha."""
    p = np.asarray(pvalues, dtype=float)
    return p < alpha / len(p)
