# Counts people as the cdf's jumps, without the group sizes: the groups are weighed equally.
import numpy as np


def equal_opportunity_policy(fico, break_even=0.82):
    """Acceptance probability of every row: equal TPRs and the largest profit."""
    group = fico["group"].astype(str).to_numpy()
    people = fico.groupby(fico["group"].astype(str))["cdf"].diff().fillna(fico["cdf"])
    people = people.to_numpy()
    repaid = people * fico["non_default_rate"].to_numpy()
    hulls = {}
    for label in np.unique(group):
        rows = np.flatnonzero(group == label)[::-1]
        tp = np.r_[0.0, np.cumsum(repaid[rows])]
        fp = np.r_[0.0, np.cumsum(people[rows] - repaid[rows])]
        hull = [0]
        for k in range(1, len(tp)):
            while len(hull) >= 2 and (fp[hull[-1]] - fp[hull[-2]]) * (
                tp[k] - tp[hull[-2]]
            ) >= (fp[k] - fp[hull[-2]]) * (tp[hull[-1]] - tp[hull[-2]]):
                hull.pop()
            if tp[k] > tp[hull[-1]]:
                hull.append(k)
        hull = np.array(hull)
        gain = (1 - break_even) * tp[hull] - break_even * fp[hull]
        hulls[label] = rows, hull, tp[hull] / tp[-1], gain
    corners = np.unique(np.concatenate([h[2] for h in hulls.values()]))
    target = corners[
        np.argmax(sum(np.interp(corners, x, g) for _, _, x, g in hulls.values()))
    ]
    accept = np.zeros(len(fico))
    for rows, hull, x, _ in hulls.values():
        i = min(int(np.searchsorted(x, target, side="right")) - 1, len(hull) - 2)
        accept[rows[: hull[i]]] = 1.0
        accept[rows[hull[i] : hull[i + 1]]] = (target - x[i]) / (x[i + 1] - x[i])
    return accept
