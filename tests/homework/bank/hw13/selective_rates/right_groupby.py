# Correct: pandas groupby with named aggregations of indicator columns, once on the observed rows and once on all.
import numpy as np
import pandas as pd


def selective_rates(y_true, y_pred, observed, groups):
    """Per-group FPR and FNR on the observed rows and on all rows."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(y_pred).astype(bool)
    df = pd.DataFrame(
        {
            "group": np.asarray(groups),
            "neg": (~y).astype(float),
            "fp": (~y & p).astype(float),
            "pos": y.astype(float),
            "fn": (y & ~p).astype(float),
        }
    )
    seen = np.asarray(observed, dtype=bool)
    out = {}
    for scope, part in (("observed", df[seen]), ("all", df)):
        counts = part.groupby("group").agg(
            neg=("neg", "sum"), fp=("fp", "sum"), pos=("pos", "sum"), fn=("fn", "sum")
        )
        counts = counts.reindex(np.unique(df["group"]), fill_value=0.0)
        out[f"fpr_{scope}"] = counts["fp"] / counts["neg"].where(counts["neg"] > 0)
        out[f"fnr_{scope}"] = counts["fn"] / counts["pos"].where(counts["pos"] > 0)
    return pd.DataFrame(out)[["fpr_observed", "fpr_all", "fnr_observed", "fnr_all"]]
