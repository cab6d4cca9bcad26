# Multiplies sigma by k (as if sigmas, not rhos, added up).
import math


def zcdp_sigma(k, l2_sensitivity, epsilon, delta):
    """Per-query sigma making k Gaussian queries (epsilon, delta)-DP via zCDP."""
    log_term = math.log(1 / delta)
    rho = (math.sqrt(log_term + epsilon) - math.sqrt(log_term)) ** 2
    return k * l2_sensitivity / math.sqrt(2 * rho)
