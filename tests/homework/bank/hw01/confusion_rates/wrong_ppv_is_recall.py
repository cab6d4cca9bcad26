# Computes the true positive rate and calls it PPV.
import numpy as np
import pandas as pd


def confusion_rates(y_true, y_pred, groups):
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    t = pd.DataFrame(
        {"n": 1, "pos": y, "neg": ~y, "tp": y & p, "fp": ~y & p, "fn": y & ~p}
    )
    c = t.groupby(np.asarray(groups)).sum()
    return pd.DataFrame(
        {
            "count": c["n"],
            "base_rate": c["pos"] / c["n"],
            "fpr": c["fp"] / c["neg"],
            "fnr": c["fn"] / c["pos"],
            "ppv": c["tp"] / c["pos"],
        }
    )
