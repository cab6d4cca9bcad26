# Correct, in counts form with statistics.NormalDist.
from statistics import NormalDist


def wilson_interval(k, n, confidence=0.95):
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    centre = (k + z * z / 2) / (n + z * z)
    half = z * (k * (n - k) / n + z * z / 4) ** 0.5 / (n + z * z)
    return [centre - half, centre + half]
