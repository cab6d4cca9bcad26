# Equalises the share of each group accepted (demographic parity), not the TPR.
import numpy as np


def equal_opportunity_policy(fico, break_even=0.82):
    """Acceptance probability of every row: equal TPRs and the largest profit."""
    group = fico["group"].astype(str).to_numpy()
    share = fico.groupby(fico["group"].astype(str))["cdf"].diff().fillna(fico["cdf"])
    people = (share * fico["group_size"]).to_numpy()
    rate = fico["non_default_rate"].to_numpy()
    best, best_accept = -np.inf, None
    for target in np.linspace(0, 1, 401):
        accept = np.zeros(len(fico))
        for label in np.unique(group):
            rows = np.flatnonzero(group == label)[::-1]
            above = np.r_[0, np.cumsum(people[rows])] / people[rows].sum()
            accept[rows] = np.clip(
                (target - above[:-1]) / np.diff(above).clip(1e-12), 0, 1
            )
        profit = (accept * people * (rate - break_even)).sum()
        if profit > best:
            best, best_accept = profit, accept
    return best_accept
