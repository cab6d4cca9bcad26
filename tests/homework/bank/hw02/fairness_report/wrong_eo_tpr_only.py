# Equalized odds compares only the true positive rates (forgets the FPR).
import numpy as np
import pandas as pd


def fairness_report(y_true, y_pred, groups):
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    c = (
        pd.DataFrame({"n": 1, "sel": p, "pos": y, "tp": y & p})
        .groupby(np.asarray(groups))
        .sum()
    )
    sel, tpr, ppv = c["sel"] / c["n"], c["tp"] / c["pos"], c["tp"] / c["sel"]
    gap = lambda r: float(r.max() - r.min())  # noqa: E731
    return {
        "demographic_parity": gap(sel),
        "equal_opportunity": gap(tpr),
        "equalized_odds": gap(tpr),
        "predictive_parity": gap(ppv),
    }
