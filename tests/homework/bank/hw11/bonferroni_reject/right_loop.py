# Correct, with a loop and the equivalent test m * p <= alpha.
import numpy as np


def bonferroni_reject(pvalues, alpha):
    """Which hypotheses the Bonferroni correction rejects at family-wise level alpha."""
    values = list(pvalues)
    m = len(values)
    return np.array([m * float(p) <= alpha for p in values], dtype=bool)
