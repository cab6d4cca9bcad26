"""Agreement with diffprivlib 0.6.6 where it has the same mechanism.

diffprivlib does not import with the course's scikit-learn, so it runs in its
own environment (``.venv-dp``, made by ``make test`` and ``make bench`` from
``bench/constraints-dp.txt``) through ``bench/dp_peer.py``. Each statistical
comparison states its false-failure rate; the power checks show the same test
rejects a mechanism with half the noise.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from course_lib.privacy import (
    exponential_mechanism_probabilities,
    gaussian_sigma,
    laplace_mechanism,
)

ROOT = Path(__file__).resolve().parents[2]
DP_PYTHON = ROOT / ".venv-dp" / "bin" / "python"
ALPHA = 1e-6  # false-failure rate of each statistical comparison
N = 20_000


@pytest.fixture(scope="module")
def peer():
    if not DP_PYTHON.is_file():
        message = "the diffprivlib environment .venv-dp is missing: run `make test`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def call(request: dict) -> dict:
        proc = subprocess.run(
            [str(DP_PYTHON), str(ROOT / "bench" / "dp_peer.py")],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        return json.loads(proc.stdout)

    return call


@pytest.mark.parametrize(("sensitivity", "epsilon"), [(1.0, 1.0), (3.0, 0.5)])
def test_laplace_draws_have_diffprivlibs_distribution(peer, sensitivity, epsilon):
    theirs = np.asarray(
        peer(
            {
                "what": "laplace",
                "epsilon": epsilon,
                "sensitivity": sensitivity,
                "n": N,
            }
        )["samples"]
    )
    rng = np.random.default_rng(1)
    ours = laplace_mechanism(np.zeros(N), sensitivity, epsilon, rng=rng)
    assert stats.ks_2samp(ours, theirs).pvalue > ALPHA
    # Power: half the noise scale is told apart at the same level.
    half = laplace_mechanism(np.zeros(N), sensitivity / 2, epsilon, rng=rng)
    assert stats.ks_2samp(half, theirs).pvalue < ALPHA


@pytest.mark.parametrize(
    ("epsilon", "delta", "sensitivity"),
    [(1.0, 1e-5, 1.0), (0.1, 1e-6, 2.0), (4.0, 1e-3, 0.5)],
)
def test_analytic_gaussian_sigma_equals_diffprivlibs(peer, epsilon, delta, sensitivity):
    theirs = peer(
        {
            "what": "gaussian",
            "epsilon": epsilon,
            "delta": delta,
            "sensitivity": sensitivity,
            "n": 1,
        }
    )["sigma"]
    assert gaussian_sigma(sensitivity, epsilon, delta) == pytest.approx(
        theirs, rel=1e-6
    )


def test_exponential_mechanism_frequencies_match_our_probabilities(peer):
    utility = [0.0, 1.0, 2.0, 2.0, 5.0]
    picks = np.asarray(
        peer(
            {
                "what": "exponential",
                "epsilon": 1.0,
                "sensitivity": 1.0,
                "utility": utility,
                "n": N,
            }
        )["samples"]
    )
    expected = exponential_mechanism_probabilities(utility, 1.0, 1.0) * N
    observed = np.bincount(picks, minlength=len(utility))
    assert stats.chisquare(observed, expected).pvalue > ALPHA


def test_randomized_response_keeps_a_bit_as_often_as_diffprivlib(peer):
    kept = np.asarray(
        peer({"what": "randomized_response", "epsilon": 1.0, "n": N})["samples"]
    )
    p = np.e / (1 + np.e)  # our keep probability at epsilon = 1
    assert stats.binomtest(int(kept.sum()), N, p).pvalue > ALPHA
