# Uses the sample standard deviation (ddof=1) of the differences instead of 1/n.
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
        if d.mean() - z * d.std(ddof=1) / np.sqrt(len(d)) <= 0:
            out.append(k)
    return out
