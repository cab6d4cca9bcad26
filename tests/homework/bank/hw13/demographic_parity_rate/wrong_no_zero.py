# Searches only the rates where a cell edge is reached, never the rate 0 (lend to nobody).
import numpy as np


def demographic_parity_rate(pmf_a, repay_a, pmf_b, repay_b, weight_a, break_even):
    def profit(pmf, repay, rate):
        pmf = np.asarray(pmf, dtype=float)
        above = np.cumsum(pmf[::-1])[::-1] - pmf
        lent = np.clip(rate - above, 0.0, pmf)
        return lent @ (np.asarray(repay, dtype=float) - break_even)

    candidates = np.concatenate(
        [np.cumsum(np.asarray(p, dtype=float)[::-1]) for p in (pmf_a, pmf_b)]
    )
    totals = [
        weight_a * profit(pmf_a, repay_a, r)
        + (1 - weight_a) * profit(pmf_b, repay_b, r)
        for r in candidates
    ]
    return float(min(candidates[int(np.argmax(totals))], 1.0))
