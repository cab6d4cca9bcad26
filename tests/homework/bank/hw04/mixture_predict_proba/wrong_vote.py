# Returns the mixture's weighted majority vote (0/1) instead of the probability.
import numpy as np


def mixture_predict_proba(predictions, weights):
    p = np.asarray(weights, dtype=float) @ np.asarray(predictions, dtype=float)
    return (p >= 0.5).astype(float)
