# Deterministic group thresholds (part 2's rule), best common target: TPRs only nearly equal.
import numpy as np


def equal_opportunity_policy(fico, break_even=0.82):
    """Acceptance probability of every row: equal TPRs and the largest profit."""
    group = fico["group"].astype(str).to_numpy()
    share = fico.groupby(fico["group"].astype(str))["cdf"].diff().fillna(fico["cdf"])
    people = (share * fico["group_size"]).to_numpy()
    rate = fico["non_default_rate"].to_numpy()
    best, best_accept = -np.inf, None
    for target in np.linspace(0.01, 1, 100):
        accept = np.zeros(len(fico))
        for label in np.unique(group):
            rows = np.flatnonzero(group == label)[::-1]
            repaid = people[rows] * rate[rows]
            tpr = np.cumsum(repaid) / repaid.sum()
            k = int(np.argmax(tpr >= target - 1e-12))
            accept[rows[: k + 1]] = 1.0
        profit = (accept * people * (rate - break_even)).sum()
        if profit > best:
            best, best_accept = profit, accept
    return best_accept
