# Wrong: groups a new frame by the groups Series itself, which pandas aligns on its index.
import numpy as np
import pandas as pd


def confusion_rates(y_true, y_pred, groups):
    """Count, base rate, FPR, FNR and PPV of binary predictions, per group."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    cells = (
        pd.DataFrame(
            {"count": 1, "pos": y, "neg": ~y, "tp": y & p, "fp": ~y & p, "fn": y & ~p}
        )
        .groupby(groups)
        .sum()
    )
    return pd.DataFrame(
        {
            "count": cells["count"],
            "base_rate": cells["pos"] / cells["count"],
            "fpr": cells["fp"] / cells["neg"],
            "fnr": cells["fn"] / cells["pos"],
            "ppv": cells["tp"] / (cells["tp"] + cells["fp"]),
        }
    )
