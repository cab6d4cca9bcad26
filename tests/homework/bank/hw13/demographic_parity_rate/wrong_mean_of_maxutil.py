# Averages the two groups' unconstrained (profit-maximising) selection rates.
import numpy as np


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    """Common selection rate of both groups that maximises the bank's weighted profit."""
    rate_a = np.asarray(pmf_a, dtype=float)[np.asarray(repay_a) >= break_even].sum()
    rate_b = np.asarray(pmf_b, dtype=float)[np.asarray(repay_b) >= break_even].sum()
    return float((rate_a + rate_b) / 2)
