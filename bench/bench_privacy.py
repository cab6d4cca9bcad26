"""Benchmark course_lib.privacy against diffprivlib 0.6.6 and numpy's raw sampling rate.

diffprivlib runs in its own environment (``.venv-dp``: it needs scikit-learn
below 1.7) through ``bench/dp_peer.py``; both sides are timed in the same
``make bench`` run. Mechanism rows time ``rows`` noisy values; diffprivlib draws
one value per Python call, so its time is measured on ``PEER_DRAWS`` draws and
scaled to ``rows`` (said in the note). For a mechanism, "max abs diff" is the
two-sample Kolmogorov-Smirnov distance between our draws and diffprivlib's
(both on the same input): a distance near 0 means the same distribution. The
"numpy raw" rows compare us with the fastest the sampling itself can be, one
bare numpy call, so a speed-up near 1 is the best possible.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
from scipy import stats

from bench.timing import median_time
from course_lib.datasets import load_adult
from course_lib.privacy import (
    DPLogisticRegression,
    exponential_mechanism,
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
    randomized_response,
)

ROOT = Path(__file__).resolve().parents[1]
DP_PYTHON = ROOT / ".venv-dp" / "bin" / "python"
PEER = "diffprivlib 0.6.6"
ROWS = 10_000_000
PEER_DRAWS = 200_000
EPSILONS = (0.5, 1.0, 2.0, 8.0)
FEATURES = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


def _peer(request: dict) -> dict:
    if not DP_PYTHON.is_file():
        raise RuntimeError(
            f"{DP_PYTHON} is missing: run `make bench`, which creates the "
            "diffprivlib environment from bench/constraints-dp.txt"
        )
    proc = subprocess.run(
        [str(DP_PYTHON), str(ROOT / "bench" / "dp_peer.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(proc.stdout)


def _best(fn, repeats: int) -> float:
    return median_time(fn, repeats)[0]


def _ks(ours: np.ndarray, theirs: list) -> float:
    return float(stats.ks_2samp(ours, np.asarray(theirs, dtype=float)).statistic)


def _mechanism_rows(repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    zeros = np.zeros(ROWS)
    ones = np.ones(ROWS, dtype=np.int8)
    rows = []

    # Laplace
    ours = _best(lambda: laplace_mechanism(zeros, 1.0, 1.0, rng=rng), repeats)
    raw = _best(lambda: rng.laplace(0.0, 1.0, ROWS), repeats)
    peer = _peer(
        {"what": "laplace", "epsilon": 1.0, "sensitivity": 1.0, "n": PEER_DRAWS}
    )
    sample = laplace_mechanism(np.zeros(PEER_DRAWS), 1.0, 1.0, rng=rng)
    rows += [
        _row(
            "laplace_mechanism",
            ours,
            PEER,
            peer["seconds"] * ROWS / PEER_DRAWS,
            _ks(sample, peer["samples"]),
            f"Laplace: diffprivlib's time is {PEER_DRAWS:,} one-value calls scaled "
            f"to {ROWS:,}; KS distance of {PEER_DRAWS:,} draws each",
        ),
        _row("laplace_mechanism", ours, "numpy rng.laplace (raw)", raw, 0.0),
    ]

    # Randomised response
    ours = _best(lambda: randomized_response(ones, 1.0, rng=rng), repeats)
    raw = _best(lambda: rng.random(ROWS) < 0.5, repeats)
    peer = _peer({"what": "randomized_response", "epsilon": 1.0, "n": PEER_DRAWS})
    kept_ours = float(np.mean(randomized_response(ones[:PEER_DRAWS], 1.0, rng=rng)))
    kept_peer = float(np.mean(peer["samples"]))
    rows += [
        _row(
            "randomized_response",
            ours,
            PEER,
            peer["seconds"] * ROWS / PEER_DRAWS,
            abs(kept_ours - kept_peer),
            "Randomised response: max abs diff is the difference of the shares of "
            f"1s kept (expected {np.e / (1 + np.e):.4f}) over {PEER_DRAWS:,} draws",
        ),
        _row("randomized_response", ours, "numpy rng.random < p (raw)", raw, 0.0),
    ]

    # Gaussian (analytic calibration in both)
    eps, delta = 1.0, 1e-5
    ours = _best(lambda: gaussian_mechanism(zeros, 1.0, eps, delta, rng=rng), repeats)
    raw = _best(lambda: rng.normal(0.0, 1.0, ROWS), repeats)
    peer = _peer(
        {
            "what": "gaussian",
            "epsilon": eps,
            "delta": delta,
            "sensitivity": 1.0,
            "n": PEER_DRAWS,
        }
    )
    sigma = gaussian_sigma(1.0, eps, delta)
    rows += [
        _row(
            "gaussian_mechanism",
            ours,
            PEER,
            peer["seconds"] * ROWS / PEER_DRAWS,
            abs(sigma - peer["sigma"]),
            f"Gaussian: max abs diff is |sigma - diffprivlib's sigma| "
            f"(ours {sigma:.6f}, analytic calibration of Balle and Wang)",
        ),
        _row("gaussian_mechanism", ours, "numpy rng.normal (raw)", raw, 0.0),
    ]

    # Exponential mechanism: one index per call on both sides.
    utility = [float(u) for u in np.linspace(0.0, 9.0, 10)]
    calls = 20_000
    u = np.asarray(utility)
    ours = _best(
        lambda: [exponential_mechanism(u, 1.0, 1.0, rng=rng) for _ in range(calls)], 1
    )
    peer = _peer(
        {
            "what": "exponential",
            "epsilon": 1.0,
            "sensitivity": 1.0,
            "utility": utility,
            "n": calls,
        }
    )
    picks = np.array(
        [exponential_mechanism(u, 1.0, 1.0, rng=rng) for _ in range(calls)]
    )
    mine = np.bincount(picks, minlength=10) / calls
    theirs = np.bincount(np.asarray(peer["samples"], dtype=int), minlength=10) / calls
    rows.append(
        _row(
            "exponential_mechanism (one call each)",
            ours,
            PEER,
            peer["seconds"],
            float(np.abs(mine - theirs).max()),
            f"Exponential mechanism: {calls:,} single choices among 10 candidates "
            "on each side; max abs diff of the choice frequencies",
        )
    )
    for r in rows:
        r["rows"] = calls if r["benchmark"].startswith("exponential") else ROWS
    return rows


def _row(benchmark, ours_s, peer, peer_s, diff, note=None) -> dict:
    row = {
        "benchmark": benchmark,
        "dataset": "synthetic",
        "rows": ROWS,
        "ours_s": ours_s,
        "peer": peer,
        "peer_s": peer_s,
        "speedup": peer_s / ours_s,
        "max_abs_diff": diff,
    }
    if note:
        row["note"] = note
    return row


def _logistic_rows() -> list[dict]:
    df = load_adult(split="all")
    X = df[FEATURES].to_numpy(dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    # Rows of norm at most 1 for both: diffprivlib's data_norm, our clip_norm.
    X /= np.maximum(1.0, np.linalg.norm(X, axis=1))[:, None] * 1.0
    y = (df["income"] == ">50K").to_numpy().astype(int)
    train = (df["split"] == "train").to_numpy()
    Xtr, ytr, Xte, yte = X[train], y[train], X[~train], y[~train]
    rows = []
    for eps in EPSILONS:
        start = time.perf_counter()
        model = DPLogisticRegression(epsilon=eps, random_state=0).fit(Xtr, ytr)
        ours_s = time.perf_counter() - start
        ours_acc = float(np.mean(model.predict(Xte) == yte))
        peer = _peer(
            {
                "what": "logistic_regression",
                "epsilon": eps,
                "data_norm": 1.0,
                "seed": 0,
                "X": Xtr.tolist(),
                "y": ytr.tolist(),
                "X_test": Xte.tolist(),
                "y_test": yte.tolist(),
            }
        )
        rows.append(
            {
                "benchmark": f"DP logistic regression, epsilon={eps:g}",
                "dataset": "Adult",
                "rows": len(ytr),
                "ours_s": ours_s,
                "peer": PEER,
                "peer_s": peer["seconds"],
                "speedup": peer["seconds"] / ours_s,
                "max_abs_diff": abs(ours_acc - peer["accuracy"]),
                "note": (
                    f"epsilon={eps:g}: test accuracy {ours_acc:.3f} (ours, "
                    f"{model.method}, delta={model.delta:g}) against "
                    f"{peer['accuracy']:.3f} (diffprivlib, objective perturbation, "
                    f"pure epsilon); base rate {1 - yte.mean():.3f}"
                ),
            }
        )
    return rows


def run(repeats: int = 5) -> list[dict]:
    return _mechanism_rows(repeats) + _logistic_rows()
