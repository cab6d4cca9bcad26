# Predictive parity compares the negative predictive value instead of the PPV.
import numpy as np
import pandas as pd


def fairness_report(y_true, y_pred, groups):
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    c = (
        pd.DataFrame(
            {
                "n": 1,
                "sel": p,
                "pos": y,
                "neg": ~y,
                "tp": y & p,
                "fp": ~y & p,
                "tn": ~y & ~p,
            }
        )
        .groupby(np.asarray(groups))
        .sum()
    )
    sel, tpr = c["sel"] / c["n"], c["tp"] / c["pos"]
    fpr, npv = c["fp"] / c["neg"], c["tn"] / (c["n"] - c["sel"])
    gap = lambda r: float(r.max() - r.min())  # noqa: E731
    return {
        "demographic_parity": gap(sel),
        "equal_opportunity": gap(tpr),
        "equalized_odds": max(gap(tpr), gap(fpr)),
        "predictive_parity": gap(npv),
    }
