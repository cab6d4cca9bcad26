# Returns the Bonferroni-adjusted p-values instead of the rejections.
import numpy as np


def bonferroni_reject(pvalues, alpha):
    """Which hypotheses the Bonferroni correction rejects at family-wise level alpha."""
    p = np.asarray(pvalues, dtype=float)
    return np.minimum(1.0, p * p.size)
