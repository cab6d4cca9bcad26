# Randomises only within the last score cell (the ROC curve, not its convex hull).
import numpy as np


def equal_opportunity_policy(fico, break_even=0.82):
    """Acceptance probability of every row: equal TPRs and the largest profit."""
    group = fico["group"].astype(str).to_numpy()
    share = fico.groupby(fico["group"].astype(str))["cdf"].diff().fillna(fico["cdf"])
    people = (share * fico["group_size"]).to_numpy()
    rate = fico["non_default_rate"].to_numpy()
    curves = {}
    for label in np.unique(group):
        rows = np.flatnonzero(group == label)[::-1]
        tp = np.r_[0, np.cumsum(people[rows] * rate[rows])]
        gain = np.r_[0, np.cumsum(people[rows] * (rate[rows] - break_even))]
        keep = np.r_[True, np.diff(tp) > 0]
        curves[label] = rows, tp[keep] / tp[-1], gain[keep], np.flatnonzero(keep)
    corners = np.unique(np.concatenate([c[1] for c in curves.values()]))
    total = sum(np.interp(corners, x, g) for _, x, g, _ in curves.values())
    target = corners[np.argmax(total)]
    accept = np.zeros(len(fico))
    for rows, x, _, k in curves.values():
        i = min(int(np.searchsorted(x, target, side="right")) - 1, len(x) - 2)
        accept[rows[: k[i]]] = 1.0
        accept[rows[k[i] : k[i + 1]]] = (target - x[i]) / (x[i + 1] - x[i])
    return accept
