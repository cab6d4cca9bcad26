"""The diffprivlib side of ``bench/bench_privacy.py``, run in ``.venv-dp``.

diffprivlib 0.6.6 does not import with the course's scikit-learn, so it runs
in its own environment (``bench/constraints-dp.txt``, made by ``make bench``
and ``make test``). This script depends on nothing from the project: it reads
one JSON request from stdin, times diffprivlib, and writes one JSON answer
(seconds, and the samples it drew, as lists) to stdout.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np


def _timed(draw, n: int) -> tuple[float, list]:
    draw()  # warm-up
    start = time.perf_counter()
    out = [draw() for _ in range(n)]
    return time.perf_counter() - start, out


def laplace(req: dict) -> dict:
    from diffprivlib.mechanisms import Laplace

    mech = Laplace(epsilon=req["epsilon"], sensitivity=req["sensitivity"])
    seconds, out = _timed(lambda: mech.randomise(0.0), req["n"])
    return {"seconds": seconds, "samples": [float(v) for v in out]}


def gaussian(req: dict) -> dict:
    from diffprivlib.mechanisms import GaussianAnalytic

    mech = GaussianAnalytic(
        epsilon=req["epsilon"], delta=req["delta"], sensitivity=req["sensitivity"]
    )
    seconds, out = _timed(lambda: mech.randomise(0.0), req["n"])
    return {
        "seconds": seconds,
        "samples": [float(v) for v in out],
        "sigma": float(mech._scale),
    }


def randomized_response(req: dict) -> dict:
    from diffprivlib.mechanisms import Binary

    mech = Binary(epsilon=req["epsilon"], value0="0", value1="1")
    seconds, out = _timed(lambda: mech.randomise("1"), req["n"])
    return {"seconds": seconds, "samples": [int(v) for v in out]}


def exponential(req: dict) -> dict:
    from diffprivlib.mechanisms import Exponential

    mech = Exponential(
        epsilon=req["epsilon"], sensitivity=req["sensitivity"], utility=req["utility"]
    )
    seconds, out = _timed(mech.randomise, req["n"])
    return {"seconds": seconds, "samples": [int(v) for v in out]}


def logistic_regression(req: dict) -> dict:
    from diffprivlib.models import LogisticRegression

    X = np.asarray(req["X"], dtype=float)
    y = np.asarray(req["y"])
    X_test = np.asarray(req["X_test"], dtype=float)
    y_test = np.asarray(req["y_test"])
    start = time.perf_counter()
    model = LogisticRegression(
        epsilon=req["epsilon"], data_norm=req["data_norm"], random_state=req["seed"]
    ).fit(X, y)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "accuracy": float(model.score(X_test, y_test))}


def main() -> None:
    request = json.load(sys.stdin)
    with warnings.catch_warnings():
        # diffprivlib's own warnings (data_norm, scipy deprecations) are not ours.
        warnings.simplefilter("ignore")
        answer = globals()[request["what"]](request)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
