# Keeps a model only if the lower bound is strictly negative, which drops the best model itself.
import numpy as np
from scipy.stats import norm


def rashomon_set(y_true, predictions, confidence):
    y = np.asarray(y_true)
    right = {k: (np.asarray(p) == y).astype(float) for k, p in predictions.items()}
    best = max(right, key=lambda k: right[k].mean())
    z = norm.ppf((1 + confidence) / 2)
    out = []
    for k, r in right.items():
        d = right[best] - r
        if d.mean() - z * d.std() / np.sqrt(len(d)) < 0:
            out.append(k)
    return out
