# Divides false positives by the whole group instead of by its negatives.
import numpy as np
import pandas as pd


def confusion_rates(y_true, y_pred, groups):
    frame = pd.DataFrame(
        {"y": np.asarray(y_true).astype(bool), "p": np.asarray(y_pred).astype(bool)}
    )
    frame["g"] = np.asarray(groups)
    rows = {}
    for g, part in frame.groupby("g"):
        y, p = part["y"], part["p"]
        rows[g] = {
            "count": len(part),
            "base_rate": y.mean(),
            "fpr": (p & ~y).sum() / len(part),
            "fnr": (~p & y).sum() / y.sum(),
            "ppv": (p & y).sum() / p.sum(),
        }
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()
