# Correct, by a groupby over every subset of columns (itertools.combinations).
import itertools

import numpy as np


def most_violated_cell(y_true, y_pred, A):
    frame = A.reset_index(drop=True).astype(int)
    frame["_fp"] = np.asarray(y_pred).astype(float)
    frame["_neg"] = (np.asarray(y_true).astype(int) == 0).astype(float)
    negatives = frame[frame["_neg"] == 1]
    overall = negatives["_fp"].mean()
    best = (None, -1.0)
    for size in range(1, len(A.columns) + 1):
        for subset in itertools.combinations(A.columns, size):
            stats = negatives.groupby(list(subset))["_fp"].agg(["size", "mean"])
            scores = stats["size"] / len(frame) * (stats["mean"] - overall).abs()
            key = scores.idxmax()
            if scores.max() > best[1]:
                key = key if isinstance(key, tuple) else (key,)
                best = (
                    dict(zip(subset, (int(k) for k in key), strict=True)),
                    float(scores.max()),
                )
    return best
