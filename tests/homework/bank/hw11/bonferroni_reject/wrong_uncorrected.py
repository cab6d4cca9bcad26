# Forgets the correction: compares each p-value with alpha.
import numpy as np


def bonferroni_reject(pvalues, alpha):
    """Which hypotheses the Bonferroni correction rejects at family-wise level alpha."""
    return np.asarray(pvalues, dtype=float) <= alpha
