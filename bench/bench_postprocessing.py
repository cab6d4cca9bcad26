"""Benchmark course_lib's ThresholdOptimizer against fairlearn's on Adult.

``run(repeats)`` returns one row per constraint (equalized odds, demographic
parity). Each row times ``fit`` on the Adult train split (32,561 rows) plus
``predict`` on all 48,842 rows (median of ``repeats`` calls after a warm-up),
for ours and for fairlearn 0.15, with the same arguments: a logistic
regression on five numeric columns, fitted once outside the timing and passed
with ``prefit=True, predict_method="predict_proba"`` (so only the
post-processing is timed), sensitive feature ``sex``.

``max_abs_diff`` is the absolute difference between the two methods'
constraint violations on the training data, computed from the expected
predictions (``_pmf_predict``): the demographic parity difference of the
expected selection rates, or the larger of the TPR and FPR gaps for
equalized odds. ``note`` gives both expected training accuracies.

Run ``python -m bench.bench_postprocessing [repeats]`` to print the rows.
"""

from __future__ import annotations

import sys
from typing import Any

import fairlearn
import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer as FairlearnTO
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bench.timing import median_time as _median_time
from course_lib.datasets import load_adult
from course_lib.fairness import ThresholdOptimizer

ADULT_FEATURES = ["age", "education_num", "capital_gain", "capital_loss"]
ADULT_FEATURES += ["hours_per_week"]
CONSTRAINTS = ["equalized_odds", "demographic_parity"]


def _violation_and_accuracy(
    pmf1: np.ndarray, y: np.ndarray, sf: pd.Series, constraint: str
) -> tuple[float, float]:
    g = pd.factorize(sf.to_numpy())[0]
    k = g.max() + 1

    def rate(weights: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=pmf1 * weights, minlength=k) / np.bincount(
            g, weights=weights, minlength=k
        )

    if constraint == "demographic_parity":
        violation = np.ptp(rate(np.ones_like(pmf1)))
    else:
        violation = max(np.ptp(rate(y.astype(float))), np.ptp(rate(1.0 - y)))
    accuracy = np.mean(pmf1 * y + (1 - pmf1) * (1 - y))
    return float(violation), float(accuracy)


def run(repeats: int = 5) -> list[dict[str, Any]]:
    """Time ThresholdOptimizer fit + predict, ours and fairlearn's, on Adult.

    Parameters
    ----------
    repeats : int, default 5
        Number of timed calls per library and constraint (after a warm-up).

    Returns
    -------
    list of dict
        One dict per constraint with keys ``benchmark``, ``dataset``, ``rows``,
        ``ours_s``, ``peer``, ``peer_s``, ``speedup``, ``max_abs_diff`` and
        ``note``.

    Raises
    ------
    ValueError
        If ``repeats`` is not a positive integer.
    """
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer; got {repeats!r}")
    adult = load_adult(split="all")
    X = adult[ADULT_FEATURES].to_numpy(dtype=float)
    y = (adult["income"] == ">50K").to_numpy().astype(np.int64)
    sf = adult["sex"]
    train = (adult["split"] == "train").to_numpy()
    X_tr, y_tr, sf_tr = X[train], y[train], sf[train]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_tr, y_tr)
    rows = []
    for constraint in CONSTRAINTS:
        params = dict(
            estimator=model,
            constraints=constraint,
            prefit=True,
            predict_method="predict_proba",
        )

        def call(cls: type, params: dict = params) -> Any:
            opt = cls(**params).fit(X_tr, y_tr, sensitive_features=sf_tr)
            opt.predict(X, sensitive_features=sf, random_state=0)
            return opt

        ours_s, ours = _median_time(lambda: call(ThresholdOptimizer), repeats)
        peer_s, theirs = _median_time(lambda: call(FairlearnTO), repeats)
        v_o, a_o = _violation_and_accuracy(
            ours._pmf_predict(X_tr, sensitive_features=sf_tr)[:, 1],
            y_tr,
            sf_tr,
            constraint,
        )
        v_t, a_t = _violation_and_accuracy(
            theirs._pmf_predict(X_tr, sensitive_features=sf_tr)[:, 1],
            y_tr,
            sf_tr,
            constraint,
        )
        rows.append(
            {
                "benchmark": f"ThresholdOptimizer {constraint} fit+predict",
                "dataset": "Adult",
                "rows": len(y),
                "ours_s": ours_s,
                "peer": f"fairlearn {fairlearn.__version__}",
                "peer_s": peer_s,
                "speedup": peer_s / ours_s,
                "max_abs_diff": abs(v_o - v_t),
                "note": (
                    f"diff = |violation ours - fairlearn| of expected predictions "
                    f"on train ({v_o:.1e} vs {v_t:.1e}); expected train accuracy "
                    f"{a_o:.4f} (ours) vs {a_t:.4f} (fairlearn)"
                ),
            }
        )
    return rows


if __name__ == "__main__":
    for row in run(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        print(row)
