# Correct, written through the true positive rate and numpy.
import numpy as np


def chouldechova_fpr(base_rate, ppv, fnr):
    p = np.asarray(base_rate, dtype=float)
    tpr = 1.0 - np.asarray(fnr, dtype=float)
    precision = np.asarray(ppv, dtype=float)
    return tpr * p * (1.0 - precision) / (precision * (1.0 - p))
