"""The cost-sensitive oracle shared by both reductions: weighted best responses.

Given Lagrange multipliers, the learner's best response is one weighted fit of
the base estimator on relabelled data (cost-sensitive classification), as in
``fairlearn.reductions`` 0.15. :class:`Oracle` caches the answers by the exact
bytes of the multiplier vector (a repeated request is not refitted), warm-starts
a :class:`~sklearn.linear_model.LogisticRegression` from the coefficients
fitted for the nearest multipliers seen so far, and :func:`blas_limits` runs
logistic-regression fits with one BLAS thread. :func:`load_problem` validates
the inputs of a reduction and loads its moments with the data.
"""

from __future__ import annotations

import contextlib
import copy
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import has_fit_parameter
from threadpoolctl import threadpool_limits

from course_lib.fairness._moments import (
    ErrorRate,
    LoadedError,
    LoadedParity,
    UtilityParity,
)

__all__ = [
    "Oracle",
    "Response",
    "blas_limits",
    "load_problem",
    "n_rows",
    "predict01",
]


def _check_binary_y(y: Any, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D; got an array of shape {arr.shape}")
    if len(arr) != n:
        raise ValueError(
            f"y must have one label per row of X ({n} rows); got {len(arr)}"
        )
    if n == 0:
        raise ValueError("X and y must not be empty; got 0 samples")
    try:
        values = set(np.unique(arr).tolist())
    except TypeError as err:
        raise ValueError(f"y must contain only the labels 0 and 1; got {err}") from err
    if not values <= {0, 1}:
        shown = sorted(map(repr, values))[:6]
        raise ValueError(
            f"y must contain only the labels 0 and 1; got values {shown}. "
            "Encode the positive class as 1, e.g. (y == '>50K').astype(int)."
        )
    return arr.astype(np.int64)


def n_rows(X: Any) -> int:
    """The number of rows of ``X`` (an array or DataFrame), or a TypeError."""
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) < 1:
        raise TypeError(
            "X must be a 2-D array or DataFrame; got "
            f"{type(X).__name__} without a shape"
        )
    return int(shape[0])


def predict01(estimator: Any, X: Any) -> np.ndarray:
    """``estimator.predict(X)`` as a 1-D float array (one column is flattened)."""
    pred = np.asarray(estimator.predict(X))
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred[:, 0]
    return pred.astype(np.float64)


def _check_estimator(estimator: Any, sample_weight_name: str) -> None:
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(
            "estimator must have fit and predict methods; got "
            f"{type(estimator).__name__}"
        )
    if not isinstance(sample_weight_name, str):
        raise TypeError(
            f"sample_weight_name must be a string; got {sample_weight_name!r}"
        )
    if not has_fit_parameter(estimator, sample_weight_name):
        raise TypeError(
            f"estimator must accept {sample_weight_name!r} in fit (the reduction "
            "trains it on reweighted data); got "
            f"{type(estimator).__name__}, whose fit has no such parameter. Use "
            "a classifier that supports sample weights or set sample_weight_name."
        )


def blas_limits(estimator: Any) -> Any:
    """One BLAS thread for logistic regression fits, else no change.

    L-BFGS on a few dozen coefficients gains nothing from BLAS threads and,
    on a busy machine, loses up to 10x to oversubscription (measured).
    """
    if isinstance(estimator, LogisticRegression):
        return threadpool_limits(limits=1, user_api="blas")
    return contextlib.nullcontext()


def _warm_startable(estimator: Any) -> bool:
    return (
        isinstance(estimator, LogisticRegression)
        and estimator.solver != "liblinear"
        and not estimator.warm_start
    )


@dataclass
class Response:
    """A best response: the fitted estimator, its predictions, error and gamma."""

    estimator: Any
    pred: np.ndarray
    error: float
    gamma: np.ndarray


class Oracle:
    """Weighted ERM best responses, cached by multiplier vector, warm-started."""

    def __init__(
        self,
        X: Any,
        estimator: Any,
        cons: LoadedParity,
        obj: LoadedError,
        sample_weight_name: str,
        *,
        normalize: bool,
        deepcopy: bool = False,
    ) -> None:
        self.X = X
        self.estimator = estimator
        self.cons = cons
        self.obj = obj
        self.obj_weights = obj.signed_weights()
        self.sample_weight_name = sample_weight_name
        self.normalize = normalize
        self.deepcopy = deepcopy
        self.warm = _warm_startable(estimator)
        self.cache: dict[bytes, Response] = {}
        self.starts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_calls = 0
        self.n_dummy = 0
        self.n_cache_hits = 0
        self.times: list[float] = []

    def __call__(self, lam: np.ndarray) -> Response:
        key = np.ascontiguousarray(lam, dtype=np.float64).tobytes()
        hit = self.cache.get(key)
        if hit is not None:
            self.n_cache_hits += 1
            return hit
        signed = self.obj_weights + self.cons.signed_weights(lam)
        red_y = (signed > 0).astype(np.int64)
        red_w = np.abs(signed)
        if self.normalize:
            red_w = self.cons.n * red_w / red_w.sum()
        labels = np.unique(red_y)
        warm = False
        if len(labels) == 1:
            est = DummyClassifier(strategy="constant", constant=labels[0])
            self.n_dummy += 1
        elif self.deepcopy:
            est = copy.deepcopy(self.estimator)
            warm = self.warm
        else:
            est = clone(self.estimator, safe=False)
            warm = self.warm
        if warm and self.starts:
            lams = np.stack([s[0] for s in self.starts])
            near = int(np.argmin(np.abs(lams - lam).sum(axis=1)))
            est.set_params(warm_start=True)
            est.coef_ = self.starts[near][1].copy()
            est.intercept_ = self.starts[near][2].copy()
            est.classes_ = np.array([0, 1])
        start = time.perf_counter()
        est.fit(self.X, red_y, **{self.sample_weight_name: red_w})
        self.times.append(time.perf_counter() - start)
        self.n_calls += 1
        if warm:
            est.set_params(warm_start=False)
            self.starts.append((lam.copy(), est.coef_.copy(), est.intercept_.copy()))
        pred = predict01(est, self.X)
        resp = Response(est, pred, self.obj.gamma(pred), self.cons.gamma(pred))
        self.cache[key] = resp
        return resp


def load_problem(
    estimator: Any,
    constraints: Any,
    objective: Any,
    sample_weight_name: str,
    X: Any,
    y: Any,
    sensitive_features: Any,
) -> tuple[np.ndarray, LoadedParity, LoadedError]:
    """Check a reduction's inputs; return the 0/1 labels and the loaded moments."""
    if not isinstance(constraints, UtilityParity):
        raise TypeError(
            "constraints must be a moment from course_lib.fairness "
            "(DemographicParity, EqualizedOdds, TruePositiveRateParity, "
            f"FalsePositiveRateParity, ErrorRateParity); got {constraints!r}"
        )
    if objective is None:
        objective = constraints.default_objective()
    if not isinstance(objective, ErrorRate):
        raise TypeError(f"objective must be None or an ErrorRate; got {objective!r}")
    _check_estimator(estimator, sample_weight_name)
    if sensitive_features is None:
        raise ValueError(
            "sensitive_features must be given (one value per row of X); got None"
        )
    n = n_rows(X)
    y01 = _check_binary_y(y, n)
    cons = constraints._load(y01, sensitive_features)
    return y01, cons, objective._load(y01)
