# Correct: solves rho + 2 sqrt(rho ln(1/delta)) = epsilon numerically.
import math

from scipy.optimize import brentq


def zcdp_sigma(k, l2_sensitivity, epsilon, delta):
    """Per-query sigma making k Gaussian queries (epsilon, delta)-DP via zCDP."""
    log_term = math.log(1 / delta)
    rho = brentq(
        lambda r: r + 2 * math.sqrt(r * log_term) - epsilon,
        0.0,
        epsilon,
        xtol=1e-300,
        rtol=1e-15,
    )
    per_query = rho / k
    return float(math.sqrt(l2_sensitivity**2 / (2 * per_query)))
