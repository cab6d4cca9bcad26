"""Benchmark course_lib.fairness metrics against fairlearn on Adult and COMPAS.

``run(repeats)`` returns one row per (metric, dataset). Each row holds the median
wall time of ``repeats`` calls (after one warm-up call) for our function and
for fairlearn's, the speed-up (fairlearn time / our time) and the largest
absolute difference between the values they return.

Data: Adult (``load_adult(split="all")``, 48,842 rows), predictions from a
logistic regression on the numeric columns, fitted once outside the timing,
sensitive feature ``sex``; COMPAS (``load_compas(filter=None)``, 7,214 rows),
``y_true = two_year_recid``, ``y_pred = decile_score >= 5``, sensitive feature
``race``. Both libraries get the same numpy label arrays and the same pandas
(categorical) Series of groups.

Run ``python -m bench.bench_fairness [repeats]`` to print the rows.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import fairlearn
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, precision_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import course_lib.fairness as cf
from bench.timing import median_time as _median_time
from course_lib.datasets import load_adult, load_compas

ADULT_FEATURES = ["age", "education_num", "capital_gain", "capital_loss"]
ADULT_FEATURES += ["hours_per_week"]
RATES = [
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
]
DISPARITIES = [
    "demographic_parity_difference",
    "equalized_odds_difference",
    "demographic_parity_ratio",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "true_positive_rate_difference",
    "true_positive_rate_ratio",
    "true_negative_rate_difference",
    "true_negative_rate_ratio",
    "false_positive_rate_difference",
    "false_positive_rate_ratio",
    "false_negative_rate_difference",
    "false_negative_rate_ratio",
    "selection_rate_difference",
    "selection_rate_ratio",
]
COLUMNS = ["count", "base_rate", "selection_rate", "tpr", "fpr", "fnr"]
COLUMNS += ["ppv", "npv", "accuracy"]


def _datasets() -> list[dict[str, Any]]:
    adult = load_adult(split="all")
    X = adult[ADULT_FEATURES].to_numpy(dtype=float)
    y_adult = (adult["income"] == ">50K").to_numpy().astype(np.int64)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y_adult)
    compas = load_compas(filter=None)
    return [
        {
            "dataset": "Adult",
            "y_true": y_adult,
            "y_pred": model.predict(X).astype(np.int64),
            "sensitive_features": adult["sex"],
        },
        {
            "dataset": "COMPAS",
            "y_true": compas["two_year_recid"].to_numpy(dtype=np.int64),
            "y_pred": (compas["decile_score"] >= 5).to_numpy().astype(np.int64),
            "sensitive_features": compas["race"],
        },
    ]


def _max_abs_diff(ours: Any, theirs: Any) -> float:
    """Largest |ours - theirs|; NaN in both places counts as equal, else inf."""
    a = np.asarray(ours, dtype=float)
    b = np.asarray(theirs, dtype=float)
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    both = ~np.isnan(a)
    return float(np.max(np.abs(a[both] - b[both]), initial=0.0))


def _metric_frame_table(y_true, y_pred, *, sensitive_features) -> pd.DataFrame:
    """The columns of ``group_metrics``, the fairlearn way (one MetricFrame)."""

    def base_rate(y_true, y_pred):
        return flm.selection_rate(y_true, y_true)

    metrics = {
        "count": flm.count,
        "base_rate": base_rate,
        "selection_rate": flm.selection_rate,
        "tpr": flm.true_positive_rate,
        "fpr": flm.false_positive_rate,
        "fnr": flm.false_negative_rate,
        "ppv": functools.partial(precision_score, zero_division=np.nan),
        "npv": functools.partial(precision_score, pos_label=0, zero_division=np.nan),
        "accuracy": accuracy_score,
    }
    frame = flm.MetricFrame(
        metrics=metrics,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
    )
    return frame.by_group[COLUMNS]


def run(repeats: int = 5) -> list[dict[str, Any]]:
    """Time our metrics and fairlearn's on Adult and COMPAS.

    Parameters
    ----------
    repeats : int, default 5
        Number of timed calls per function (after one untimed warm-up call).

    Returns
    -------
    list of dict
        One dict per (benchmark, dataset) with keys ``benchmark``, ``dataset``,
        ``rows``, ``ours_s``, ``peer``, ``peer_s``, ``speedup`` and
        ``max_abs_diff``.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be a positive integer; got {repeats!r}")
    peer = f"fairlearn {fairlearn.__version__}"
    # (name, ours, fairlearn's, whether it takes sensitive_features)
    pairs: list[tuple[str, Callable[..., Any], Callable[..., Any], bool]] = [
        (name, getattr(cf, name), getattr(flm, name), False) for name in RATES
    ]
    pairs += [
        (name, getattr(cf, name), getattr(flm, name), True) for name in DISPARITIES
    ]
    pairs.append(("group_metrics", cf.group_metrics, _metric_frame_table, True))
    rows = []
    for data in _datasets():
        args = (data["y_true"], data["y_pred"])
        for name, ours_fn, peer_fn, grouped in pairs:
            kwargs = (
                {"sensitive_features": data["sensitive_features"]} if grouped else {}
            )
            ours_call = functools.partial(ours_fn, *args, **kwargs)
            peer_call = functools.partial(peer_fn, *args, **kwargs)
            ours_s, ours = _median_time(ours_call, repeats)
            peer_s, theirs = _median_time(peer_call, repeats)
            rows.append(
                {
                    "benchmark": name,
                    "dataset": data["dataset"],
                    "rows": len(data["y_true"]),
                    "ours_s": ours_s,
                    "peer": peer,
                    "peer_s": peer_s,
                    "speedup": peer_s / ours_s,
                    "max_abs_diff": _max_abs_diff(ours, theirs),
                }
            )
    return rows


if __name__ == "__main__":
    n_repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    header = f"{'benchmark':32} {'dataset':8} {'rows':>6} {'ours_s':>10} "
    header += f"{'peer_s':>8} {'speedup':>9} {'max_abs_diff':>12}"
    print(header)
    for row in run(n_repeats):
        print(
            f"{row['benchmark']:32} {row['dataset']:8} {row['rows']:>6} "
            f"{row['ours_s']:>10.6f} {row['peer_s']:>8.4f} {row['speedup']:>8.0f}x "
            f"{row['max_abs_diff']:>12.3g}"
        )
    print(f"peer: fairlearn {fairlearn.__version__}")
