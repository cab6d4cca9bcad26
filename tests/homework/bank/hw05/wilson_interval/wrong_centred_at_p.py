# Wilson's half-width, but centred at k / n.
import math

from scipy.stats import norm


def wilson_interval(k, n, confidence=0.95):
    z = norm.ppf(0.5 + confidence / 2)
    p = k / n
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return p - half, p + half
