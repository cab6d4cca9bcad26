# Correct, with statistics.NormalDist and the variances written out.
import math
from statistics import NormalDist


def audit_queries_needed(gap, base_rate, negative_share, confidence=0.95, power=0.8):
    normal = NormalDist()
    alpha = 1 - confidence
    p1 = base_rate
    p2 = base_rate + gap
    pooled_var = 2 * ((p1 + p2) / 2) * (1 - (p1 + p2) / 2)
    separate_var = p1 * (1 - p1) + p2 * (1 - p2)
    numerator = (
        normal.inv_cdf(1 - alpha / 2) * math.sqrt(pooled_var)
        + normal.inv_cdf(power) * math.sqrt(separate_var)
    ) ** 2
    people = numerator / (gap * gap) / negative_share
    return math.ceil(people)
