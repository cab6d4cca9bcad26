# Uses the one-sided quantile norm.ppf(confidence) for z_a.
import math

from scipy.stats import norm


def audit_queries_needed(gap, base_rate, negative_share, confidence=0.95, power=0.8):
    z_a, z_b = norm.ppf(confidence), norm.ppf(power)
    p1, p2 = base_rate, base_rate + gap
    pb = (p1 + p2) / 2
    root = z_a * math.sqrt(2 * pb * (1 - pb)) + z_b * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(root**2 / gap**2 / negative_share)
