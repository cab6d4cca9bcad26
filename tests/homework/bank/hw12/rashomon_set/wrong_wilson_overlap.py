# Keeps the models whose Wilson interval for accuracy overlaps the best model's (unpaired).
import numpy as np
from scipy.stats import norm


def _wilson(k, n, z):
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def rashomon_set(y_true, predictions, confidence):
    y = np.asarray(y_true)
    z = norm.ppf((1 + confidence) / 2)
    hits = {k: int(np.sum(np.asarray(p) == y)) for k, p in predictions.items()}
    best = max(hits, key=hits.get)
    best_low, _ = _wilson(hits[best], y.size, z)
    return [k for k, h in hits.items() if _wilson(h, y.size, z)[1] >= best_low]
