"""Benchmark the reductions of course_lib.fairness against fairlearn 0.15 on Adult.

Rows: ``ExponentiatedGradient`` with demographic parity and with equalized
odds (``eps=0.01``, base learner ``LogisticRegression(max_iter=1000)``) on the
whole of Adult (``load_adult(split="all")``, 48,842 rows; numeric columns
standardised plus one-hot workclass, marital_status, occupation,
relationship and race, 45 columns; sensitive feature ``sex``).

``ours_s`` is the median of ``repeats`` fits (after one warm-up fit);
fairlearn takes tens of seconds per fit, so ``peer_s`` is the median of
``max(1, repeats // 5)`` fits, run as users run it (default threading).
``max_abs_diff`` is |our training constraint violation - fairlearn's|, the
violation being the largest constraint value of the mixture's expected
predictions minus the bound; the note gives both violations and both
expected training errors.

Run ``python bench/bench_reductions.py [repeats]`` to print the rows.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from typing import Any

import fairlearn
import fairlearn.reductions as flr
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

import course_lib.fairness as cr
from course_lib.datasets import load_adult

NUM = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CAT = ["workclass", "marital_status", "occupation", "relationship", "race"]
EPS = 0.01


def _adult() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    adult = load_adult(split="all")
    Xn = adult[NUM].to_numpy(float)
    Xn = (Xn - Xn.mean(0)) / Xn.std(0)
    X = np.hstack([Xn, pd.get_dummies(adult[CAT]).to_numpy(float)])
    y = (adult["income"] == ">50K").to_numpy().astype(np.int64)
    return X, y, adult["sex"].astype(str).to_numpy()


def _timed(fit: Any, repeats: int, warm_up: bool) -> tuple[float, Any]:
    if warm_up:
        fit()
    times, model = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), model


def run(repeats: int = 5) -> list[dict[str, Any]]:
    """Time both ExponentiatedGradient rows.

    Parameters
    ----------
    repeats : int, default 5
        Timed fits of ours; fairlearn gets ``max(1, repeats // 5)``.

    Returns
    -------
    list of dict
        One row per constraint with keys ``benchmark``, ``dataset``,
        ``rows``, ``ours_s``, ``peer``, ``peer_s``, ``speedup``,
        ``max_abs_diff`` and ``note``.
    """
    X, y, s = _adult()
    out = []
    for name, short in [("DemographicParity", "dp"), ("EqualizedOdds", "eo")]:
        moment = getattr(cr, name)()

        def ours(name: str = name) -> Any:
            eg = cr.ExponentiatedGradient(
                LogisticRegression(max_iter=1000), getattr(cr, name)(), eps=EPS
            )
            return eg.fit(X, y, sensitive_features=s)

        def theirs(name: str = name) -> Any:
            eg = flr.ExponentiatedGradient(
                LogisticRegression(max_iter=1000), getattr(flr, name)(), eps=EPS
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas 3 deprecations
                return eg.fit(X, y, sensitive_features=s)

        ours_s, m_ours = _timed(ours, repeats, warm_up=True)
        peer_s, m_theirs = _timed(theirs, max(1, repeats // 5), warm_up=False)
        p_ours = m_ours._pmf_predict(X)[:, 1]
        p_theirs = np.asarray(m_theirs._pmf_predict(X))[:, 1]
        loaded = moment._load(y, s)
        v_ours = float(np.max(loaded.gamma(p_ours)) - moment.eps)
        v_theirs = float(np.max(loaded.gamma(p_theirs)) - moment.eps)
        e_ours = float(np.mean(np.abs(p_ours - y)))
        e_theirs = float(np.mean(np.abs(p_theirs - y)))
        out.append(
            {
                "benchmark": f"exponentiated_gradient_{short}",
                "dataset": "adult",
                "rows": len(y),
                "ours_s": ours_s,
                "peer": f"fairlearn {fairlearn.__version__}",
                "peer_s": peer_s,
                "speedup": peer_s / ours_s,
                "max_abs_diff": abs(v_ours - v_theirs),
                "note": (
                    f"training violation (max constraint - bound) ours {v_ours:.2e}"
                    f" vs fairlearn {v_theirs:.2e}, expected error ours"
                    f" {e_ours:.4f} vs {e_theirs:.4f}; fits ours"
                    f" {m_ours.n_oracle_calls_} vs {m_theirs.n_oracle_calls_}"
                ),
            }
        )
    return out


if __name__ == "__main__":
    n_repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for row in run(n_repeats):
        print(
            f"{row['benchmark']:32} {row['rows']:>6} ours {row['ours_s']:8.2f}s "
            f"fairlearn {row['peer_s']:8.2f}s {row['speedup']:6.1f}x "
            f"diff {row['max_abs_diff']:.2e}  {row['note']}"
        )
