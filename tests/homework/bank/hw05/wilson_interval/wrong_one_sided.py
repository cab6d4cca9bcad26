# Uses the one-sided quantile norm.ppf(confidence) for z.
import math

from scipy.stats import norm


def wilson_interval(k, n, confidence=0.95):
    z = norm.ppf(confidence)
    p = k / n
    d = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / d
    return centre - half, centre + half
