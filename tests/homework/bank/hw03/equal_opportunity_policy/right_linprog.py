# A linear programme: acceptance probabilities and the common TPR as variables.
import itertools

import numpy as np
from scipy.optimize import linprog


def equal_opportunity_policy(fico, break_even=0.82):
    """Acceptance probability of every row: equal TPRs and the largest profit."""
    group = fico["group"].astype(str).reset_index(drop=True)
    share = fico["cdf"].reset_index(drop=True).groupby(group).diff()
    share = share.fillna(fico["cdf"].reset_index(drop=True))
    people = (share * fico["group_size"].to_numpy()).to_numpy()
    rate = fico["non_default_rate"].to_numpy()
    n = len(fico)
    cost = np.r_[-people * (rate - break_even), 0.0]  # last variable: the common TPR
    equalities, monotone = [], []
    for label in group.unique():
        rows = np.flatnonzero(group == label)
        row = np.zeros(n + 1)
        row[rows] = people[rows] * rate[rows] / (people[rows] * rate[rows]).sum()
        row[n] = -1.0
        equalities.append(row)
        for lower, higher in itertools.pairwise(rows):  # sorted by score
            step = np.zeros(n + 1)
            step[lower], step[higher] = 1.0, -1.0
            monotone.append(step)
    result = linprog(
        cost,
        A_ub=np.array(monotone),
        b_ub=np.zeros(len(monotone)),
        A_eq=np.array(equalities),
        b_eq=np.zeros(len(equalities)),
        bounds=[(0, 1)] * (n + 1),
        method="highs",
    )
    return np.clip(result.x[:n], 0, 1)
