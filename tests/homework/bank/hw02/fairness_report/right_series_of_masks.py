# Correct: a loop over groups with boolean masks, returning a pandas Series.
import numpy as np
import pandas as pd


def fairness_report(y_true, y_pred, groups):
    """Largest minus smallest rate across groups, for four fairness criteria."""
    y = np.asarray(y_true) == 1
    p = np.asarray(y_pred) == 1
    g = np.asarray(groups)
    rows = []
    for label in np.unique(g):
        yy, pp = y[g == label], p[g == label]
        rows.append(
            {
                "sel": pp.mean(),
                "tpr": pp[yy].mean(),
                "fpr": pp[~yy].mean(),
                "ppv": yy[pp].mean(),
            }
        )
    rates = pd.DataFrame(rows)
    spread = rates.max() - rates.min()
    return pd.Series(
        {
            "demographic_parity": spread["sel"],
            "equal_opportunity": spread["tpr"],
            "equalized_odds": max(spread["tpr"], spread["fpr"]),
            "predictive_parity": spread["ppv"],
        }
    )
