# Uses the unpaired interval: the two accuracies' binomial variances added, as if on different rows.
import numpy as np
from scipy.stats import norm


def rashomon_set(y_true, predictions, confidence):
    y = np.asarray(y_true)
    acc = {k: np.mean(np.asarray(p) == y) for k, p in predictions.items()}
    best = max(acc, key=acc.get)
    z = norm.ppf((1 + confidence) / 2)
    n = y.size
    out = []
    for k, a in acc.items():
        pb = acc[best]
        half = z * np.sqrt(pb * (1 - pb) / n + a * (1 - a) / n)
        if pb - a - half <= 0:
            out.append(k)
    return out
