# Correct, from the counts of discordant rows (b: only the best is right, c: only the model).
import math

import numpy as np
from scipy import stats


def rashomon_set(y_true, predictions, confidence):
    y = list(y_true)
    n = len(y)
    names = list(predictions.keys())
    hits = {
        k: np.array([p == t for p, t in zip(predictions[k], y, strict=True)])
        for k in names
    }
    scores = [hits[k].sum() for k in names]
    best = names[int(np.argmax(scores))]
    z = stats.norm.ppf(0.5 + confidence / 2)
    out = []
    for k in names:
        b = int(np.sum(hits[best] & ~hits[k]))
        c = int(np.sum(~hits[best] & hits[k]))
        mean = (b - c) / n
        var = (b + c) / n - mean**2
        if mean - z * math.sqrt(max(var, 0.0) / n) <= 0:
            out.append(k)
    return out
