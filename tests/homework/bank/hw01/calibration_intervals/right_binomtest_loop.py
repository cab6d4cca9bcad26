# Right: loops over the pairs and asks scipy's binomtest for the Wilson interval.
import numpy as np
import pandas as pd
from scipy.stats import binomtest


def calibration_intervals(scores, y_true, groups, level=0.95):
    """Outcome rate and its Wilson interval for each (score, group) pair."""
    s, y, g = (list(np.asarray(x)) for x in (scores, y_true, groups))
    rows = []
    for pair in sorted(set(zip(s, g, strict=True))):
        outcomes = [int(y[i]) for i in range(len(s)) if (s[i], g[i]) == pair]
        k, n = sum(outcomes), len(outcomes)
        ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
        rows.append([pair[0], pair[1], n, k / n, ci.low, ci.high])
    return pd.DataFrame(rows, columns=["score", "group", "n", "rate", "low", "high"])
