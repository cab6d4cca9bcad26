# Counts the positives needed as ceil(target * P) with no tolerance: asks for one too many when float rounding lifts target * P above a whole number.
import numpy as np
import pandas as pd


def thresholds_for_equal_tpr(scores, y_true, groups, target_tpr):
    """Each group's highest threshold whose TPR is at least target_tpr."""
    frame = pd.DataFrame(
        {
            "group": np.asarray(groups),
            "score": np.asarray(scores, dtype=float),
            "pos": np.asarray(y_true).astype(bool),
        }
    )
    result = {}
    for group, rows in frame.groupby("group"):
        positive_scores = np.sort(rows.loc[rows["pos"], "score"].to_numpy())[::-1]
        k = int(np.ceil(target_tpr * len(positive_scores)))
        result[group] = positive_scores[max(k, 1) - 1]
    return pd.Series(result)
