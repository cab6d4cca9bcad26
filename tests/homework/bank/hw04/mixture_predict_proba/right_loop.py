# Correct, accumulating one classifier at a time.
import numpy as np


def mixture_predict_proba(predictions, weights):
    rows = [np.asarray(r, dtype=float) for r in predictions]
    total = np.zeros(len(rows[0]))
    for w, row in zip(weights, rows, strict=True):
        total += w * row
    return total
