# Correct to 2.5e-6 in profit: evaluates 200,001 equally spaced rates (by interpolation) and keeps the best.
import numpy as np


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    """Common selection rate of both groups that maximises the bank's weighted profit."""
    grid = np.linspace(0.0, 1.0, 200_001)

    def profit(pmf, repay):
        p = np.asarray(pmf, dtype=float)[::-1]
        r = np.asarray(repay, dtype=float)[::-1]
        mass = np.concatenate([[0.0], np.cumsum(p)])
        earned = np.concatenate([[0.0], np.cumsum(p * (r - break_even))])
        return np.interp(grid, mass, earned)

    total = weight_a * profit(pmf_a, repay_a) + (1 - weight_a) * profit(pmf_b, repay_b)
    return float(grid[np.argmax(total)])
