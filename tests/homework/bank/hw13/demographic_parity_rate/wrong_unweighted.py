# Adds the two groups' profits per member without weighting them by the groups' shares.
import numpy as np


def _profit(pmf, repay, rates, break_even):
    pmf = np.asarray(pmf, dtype=float)
    above = np.cumsum(pmf[::-1])[::-1] - pmf
    lent = np.clip(rates[:, None] - above[None, :], 0.0, pmf[None, :])
    return lent @ (np.asarray(repay, dtype=float) - break_even)


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    """Common selection rate of both groups that maximises the bank's weighted profit."""
    edges = [np.cumsum(np.asarray(p, dtype=float)[::-1]) for p in (pmf_a, pmf_b)]
    rates = np.unique(np.clip(np.concatenate([[0.0, 1.0], *edges]), 0.0, 1.0))
    total = _profit(pmf_a, repay_a, rates, break_even) + _profit(
        pmf_b, repay_b, rates, break_even
    )
    return float(rates[np.argmax(total)])
