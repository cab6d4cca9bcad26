# Swaps the false positive and false negative rates.
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
            "fpr": c["fn"] / c["pos"],
            "fnr": c["fp"] / c["neg"],
            "ppv": c["tp"] / (c["tp"] + c["fp"]),
        }
    )
