# Correct: a loop over groups, with numpy's diff on each group's cdf.
import numpy as np


def profit_by_threshold(fico, thresholds, break_even=0.82):
    """Expected profit of lending to everyone at or above their group's threshold."""
    total = 0.0
    for group, rows in fico.groupby("group", observed=True):
        share = np.diff(rows["cdf"].to_numpy(), prepend=0.0)
        people = share * rows["group_size"].to_numpy()
        accepted = rows["score"].to_numpy() >= thresholds[str(group)]
        gain = rows["non_default_rate"].to_numpy() - break_even
        total += float((people * gain)[accepted].sum())
    return total
