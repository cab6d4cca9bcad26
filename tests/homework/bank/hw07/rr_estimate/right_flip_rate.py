# Written with the flip rate q = 1 / (1 + e^eps): (m - q) / (1 - 2q).
import math


def rr_estimate(responses, epsilon):
    """Unbiased estimate of the true share of 1s behind randomised responses."""
    responses = list(responses)
    m = sum(int(r) for r in responses) / len(responses)
    q = 1 / (1 + math.exp(epsilon))
    return (m - q) / (1 - 2 * q)
