# The Wald interval p +- z sqrt(p (1 - p) / n), not Wilson's.
import math

from scipy.stats import norm


def wilson_interval(k, n, confidence=0.95):
    z = norm.ppf(0.5 + confidence / 2)
    p = k / n
    half = z * math.sqrt(p * (1 - p) / n)
    return p - half, p + half
