"""Reductions approach to fair classification (Agarwal et al., 2018).

Agarwal, Beygelzimer, Dudík, Langford and Wallach, "A Reductions Approach to
Fair Classification", ICML 2018. A fairness constraint that is linear in the
conditional moments of the predictions (demographic parity, equalized odds,
...) turns training a fair randomised classifier into a saddle-point problem
over a Lagrangian. :class:`ExponentiatedGradient` solves it by letting a
*learner* best-respond to the current Lagrange multipliers with one weighted
fit of an ordinary scikit-learn classifier (cost-sensitive classification by
relabelling and reweighting the data) while a *regulator* updates the
multipliers by exponentiated gradient; the answer is a random mixture of the
fitted classifiers. :class:`GridSearch` instead fits one classifier for each
multiplier vector of a fixed grid and keeps the best trade-off.

Names, parameters, defaults, attributes and the algorithm follow
``fairlearn.reductions`` 0.15 (``ExponentiatedGradient``, ``GridSearch``,
``DemographicParity``, ``EqualizedOdds``, ``TruePositiveRateParity``,
``FalsePositiveRateParity``, ``ErrorRateParity``, ``ErrorRate``), step for
step: the same relabelling, weights, learning-rate schedule, duality-gap
checks, linear-programming step, stopping rule and grid. The differences:

* **Repeated best responses are not refitted.** fairlearn refits the base
  estimator every time the learner best-responds, even to a multiplier vector
  it has already answered (this happens in the first iteration, whose
  duality-gap check asks again for the multipliers just answered, and
  whenever a gap check or the linear program repeats earlier multipliers). Here an answer is cached by the exact bytes of the multiplier
  vector, so the result is identical and ``n_oracle_calls_`` counts the fits
  actually made (fairlearn counts the requests).
* **Warm starts.** When the base estimator is a
  :class:`~sklearn.linear_model.LogisticRegression` with a solver that
  supports warm starts (every solver but ``liblinear``), each fit starts from
  the coefficients fitted for the nearest multiplier vector seen so far. The
  optimum is the same convex problem's optimum; only the solver's path (and
  so the last digits, within the solver's ``tol``) changes. The stored
  predictors have ``warm_start`` reset to the user's value.
* **One BLAS thread for logistic regression.** Fits of a
  :class:`~sklearn.linear_model.LogisticRegression` base estimator run under
  ``threadpoolctl.threadpool_limits(1, user_api="blas")``: L-BFGS on a few
  dozen coefficients gains nothing from BLAS threads, and on a busy 2-core
  machine the threads made each fit up to 10 times slower (measured: 63
  L-BFGS iterations on Adult, 2.4-3.5 s with two threads, 0.22-0.35 s with
  one). Other estimators keep the caller's threading.
* **Bookkeeping is vectorised.** Constraint violations and cost weights are
  computed with :func:`numpy.bincount` over (event, group) codes instead of
  an ``n_samples x n_constraints`` pandas matrix.
* **Groups.** Sensitive features go through the same validation as
  :mod:`course_lib.fairness.metrics` (no missing values; several columns
  define intersectional groups). With several columns a group is labelled by
  the tuple of its values (fairlearn joins them into a string, which sorts
  numbers as text). ``control_features`` are not supported.
* **Validation** happens in ``fit`` (fairlearn's ``GridSearch`` validates in
  ``__init__``) and raises :class:`ValueError`/:class:`TypeError`. A base
  estimator whose ``fit`` has no ``sample_weight_name`` parameter is rejected
  with a :class:`TypeError` before any fitting.
* ``predict(X, random_state=...)`` accepts an int, ``None``, a
  :class:`numpy.random.RandomState` or a :class:`numpy.random.Generator`; with
  an int or a ``RandomState`` it draws exactly the numbers fairlearn draws.

Only classification moments are implemented (no ``BoundedGroupLoss`` /
regression), and ``fit`` does not take ``sample_weight`` (neither does
fairlearn's).
"""

from __future__ import annotations

import contextlib
import copy
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.optimize as opt
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, has_fit_parameter
from threadpoolctl import threadpool_limits

from course_lib.fairness._counting import group_codes

__all__ = [
    "DemographicParity",
    "EqualizedOdds",
    "ErrorRate",
    "ErrorRateParity",
    "ExponentiatedGradient",
    "FalsePositiveRateParity",
    "GridSearch",
    "TruePositiveRateParity",
]

# Constants of fairlearn 0.15 (fairlearn/reductions/_exponentiated_gradient).
_PRECISION = 1e-8
_ACCURACY_MUL = 0.5
_REGRET_CHECK_START_T = 5
_REGRET_CHECK_INCREASE_T = 1.6
_SHRINK_REGRET = 0.8
_SHRINK_ETA = 0.8
_MIN_ITER = 5
_DEFAULT_DIFFERENCE_BOUND = 0.01
_INDEX_NAMES = ["sign", "event", "group_id"]


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------


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


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) < 1:
        raise TypeError(
            "X must be a 2-D array or DataFrame; got "
            f"{type(X).__name__} without a shape"
        )
    return int(shape[0])


def _sorted_groups(sensitive_features: Any, n: int) -> tuple[np.ndarray, list[Any]]:
    """Group code per row (groups sorted by value) and the group labels."""
    group, levels, level_codes = group_codes(sensitive_features, n)
    if level_codes.shape[1] == 1:
        labels = list(levels[0][level_codes[:, 0]])
        order = np.arange(len(labels))
    else:
        order = np.lexsort(level_codes.T[::-1])
        labels = [
            tuple(levels[j][level_codes[i, j]] for j in range(len(levels)))
            for i in order
        ]
    remap = np.empty(len(order), dtype=np.intp)
    remap[order] = np.arange(len(order))
    return remap[group], labels


def _predict01(estimator: Any, X: Any) -> np.ndarray:
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


# --------------------------------------------------------------------------
# Moments
# --------------------------------------------------------------------------


class ErrorRate:
    r"""Misclassification error as a moment (the default objective).

    The error of :math:`h` is
    :math:`c_{FP} P[h(X)=1, Y=0] + c_{FN} P[h(X)=0, Y=1]`, with both costs 1 by
    default, as in ``fairlearn.reductions.ErrorRate``.

    Parameters
    ----------
    costs : dict or None, default None
        ``{"fp": c_fp, "fn": c_fn}``, non-negative and not both zero.

    Raises
    ------
    ValueError
        If ``costs`` is not such a dictionary.

    Examples
    --------
    >>> ErrorRate(costs={"fp": 2.0, "fn": 1.0}).fp_cost
    2.0
    """

    def __init__(self, *, costs: dict[str, float] | None = None) -> None:
        if costs is None:
            self.fp_cost, self.fn_cost = 1.0, 1.0
        elif (
            isinstance(costs, dict)
            and set(costs) == {"fp", "fn"}
            and costs["fp"] >= 0
            and costs["fn"] >= 0
            and costs["fp"] + costs["fn"] > 0
        ):
            self.fp_cost, self.fn_cost = float(costs["fp"]), float(costs["fn"])
        else:
            raise ValueError(
                "costs must be None or a dict with keys 'fp' and 'fn' holding "
                f"non-negative values that are not both zero; got {costs!r}"
            )
        self.costs = costs

    def __repr__(self) -> str:
        return f"ErrorRate(costs={self.costs!r})"

    def _load(self, y: np.ndarray) -> _LoadedError:
        return _LoadedError(y=y, fp=self.fp_cost, fn=self.fn_cost)


@dataclass
class _LoadedError:
    y: np.ndarray
    fp: float
    fn: float

    def gamma(self, pred: np.ndarray) -> float:
        diff = self.y - pred
        fn = np.sum(diff[diff > 0]) * self.fn
        fp = -np.sum(diff[diff < 0]) * self.fp
        return float((fn + fp) / len(self.y))

    def signed_weights(self) -> np.ndarray:
        return -self.fp + (self.fp + self.fn) * self.y


class _UtilityParity:
    """Parity of a utility across groups within events (fairlearn's UtilityParity)."""

    short_name = "UtilityParity"

    def __init__(
        self,
        *,
        difference_bound: float | None = None,
        ratio_bound: float | None = None,
        ratio_bound_slack: float = 0.0,
    ) -> None:
        if difference_bound is not None and ratio_bound is not None:
            raise ValueError(
                "only one of difference_bound and ratio_bound may be set; got "
                f"difference_bound={difference_bound!r}, ratio_bound={ratio_bound!r}"
            )
        if ratio_bound is not None:
            if not 0 < ratio_bound <= 1:
                raise ValueError(f"ratio_bound must be in (0, 1]; got {ratio_bound!r}")
            self.eps, self.ratio = float(ratio_bound_slack), float(ratio_bound)
        else:
            bound = (
                _DEFAULT_DIFFERENCE_BOUND
                if difference_bound is None
                else (difference_bound)
            )
            if not np.isfinite(bound) or bound < 0:
                raise ValueError(
                    f"difference_bound must be a finite number >= 0; got {bound!r}"
                )
            self.eps, self.ratio = float(bound), 1.0
        self.difference_bound = difference_bound
        self.ratio_bound = ratio_bound
        self.ratio_bound_slack = ratio_bound_slack

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(difference_bound={self.difference_bound!r}, "
            f"ratio_bound={self.ratio_bound!r}, "
            f"ratio_bound_slack={self.ratio_bound_slack!r})"
        )

    # Subclasses define the event of every row and the utilities.
    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        raise NotImplementedError

    def _utilities(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(utility_diff, utility of predicting 0) per row."""
        return np.ones(len(y)), np.zeros(len(y))

    def default_objective(self) -> ErrorRate:
        """Return the default objective, :class:`ErrorRate`.

        Returns
        -------
        ErrorRate
            Misclassification error with unit costs.

        Examples
        --------
        >>> DemographicParity().default_objective()
        ErrorRate(costs=None)
        """
        return ErrorRate()

    def _load(self, y: np.ndarray, sensitive_features: Any) -> _LoadedParity:
        n = len(y)
        group, group_labels = _sorted_groups(sensitive_features, n)
        event, event_labels = self._events(y)
        n_groups = len(group_labels)
        has = event >= 0
        flat = np.where(has, event * n_groups + group, -1)
        counts = np.bincount(flat[has], minlength=len(event_labels) * n_groups)
        observed = np.flatnonzero(counts)
        pair_of_flat = np.full(len(counts), -1, dtype=np.intp)
        pair_of_flat[observed] = np.arange(len(observed))
        pair = np.where(has, pair_of_flat[np.maximum(flat, 0)], -1)
        pair_event, pair_group = np.divmod(observed, n_groups)
        n_event = np.bincount(event[has], minlength=len(event_labels))
        tuples = [
            (event_labels[e], group_labels[g])
            for e, g in zip(pair_event, pair_group, strict=True)
        ]
        index = pd.MultiIndex.from_tuples(
            [("+", *t) for t in tuples] + [("-", *t) for t in tuples],
            names=_INDEX_NAMES,
        )
        # Basis of GridSearch: events and groups in order of first appearance,
        # the last group of each event left out (its constraint is redundant).
        first_event = np.unique(event[has], return_index=True)
        event_order = first_event[0][np.argsort(first_event[1], kind="stable")]
        first_group = np.unique(group, return_index=True)
        group_order = first_group[0][np.argsort(first_group[1], kind="stable")]
        basis = [
            pair_of_flat[e * n_groups + g]
            for e in event_order
            for g in group_order[:-1]
        ]
        ud, u0 = self._utilities(y)
        return _LoadedParity(
            n=n,
            event=event,
            pair=pair,
            has=has,
            pair_event=pair_event,
            n_event=n_event.astype(np.float64),
            n_pair=counts[observed].astype(np.float64),
            ratio=self.ratio,
            eps=self.eps,
            utility_diff=ud,
            utility0=u0,
            index=index,
            basis=np.asarray(basis, dtype=np.intp),
        )


@dataclass
class _LoadedParity:
    """A parity moment loaded with data: codes and counts, no n x K matrix."""

    n: int
    event: np.ndarray  # event code per row, -1 if the row is in no event
    pair: np.ndarray  # (event, group) pair code per row, -1 if none
    has: np.ndarray
    pair_event: np.ndarray  # event code of every pair
    n_event: np.ndarray
    n_pair: np.ndarray
    ratio: float
    eps: float
    utility_diff: np.ndarray
    utility0: np.ndarray
    index: pd.MultiIndex
    basis: np.ndarray  # pair code of every GridSearch basis direction (-1: none)

    @property
    def n_pairs(self) -> int:
        return len(self.n_pair)

    def gamma(self, pred: np.ndarray) -> np.ndarray:
        """Constraint values (+ block then - block) of 0/1 predictions."""
        u = self.utility_diff * pred + self.utility0
        k = self.n_pairs
        mean_pair = np.bincount(self.pair[self.has], u[self.has], k) / self.n_pair
        mean_event = (
            np.bincount(self.event[self.has], u[self.has], len(self.n_event))
            / self.n_event
        )[self.pair_event]
        return np.concatenate(
            [
                self.ratio * mean_pair - mean_event,
                self.ratio * mean_event - mean_pair,
            ]
        )

    def signed_weights(self, lam: np.ndarray) -> np.ndarray:
        k = self.n_pairs
        lp, lm = lam[:k], lam[k:]
        p_event = self.n_event / self.n
        p_pair = self.n_pair / self.n
        a = np.bincount(self.pair_event, lp - self.ratio * lm, len(self.n_event))
        a = a / p_event
        b = (lm - self.ratio * lp) / p_pair
        out = np.zeros(self.n)
        h = self.has
        out[h] = a[self.event[h]] + b[self.pair[h]]
        return self.utility_diff * out

    def bound(self) -> np.ndarray:
        return np.full(2 * self.n_pairs, self.eps)

    def project_lambda(self, lam: np.ndarray) -> np.ndarray:
        """fairlearn 0.15's projection: a weighted-median shift per event."""
        if self.ratio != 1.0:
            return lam
        k = self.n_pairs
        signed = lam[:k] - lam[k:]
        prob = self.n_pair / self.n_event[self.pair_event]  # P(g | e)
        out = signed.copy()
        for e in np.unique(self.pair_event):  # a handful of events
            sel = np.flatnonzero(self.pair_event == e)
            p = prob[sel]
            norm = signed[sel] / p
            order = np.argsort(norm, kind="stable")
            pos = np.searchsorted(np.cumsum(p[order]), p.sum() / 2)
            out[sel] = signed[sel] - p * norm[order[pos]]
        return np.concatenate([np.maximum(out, 0.0), np.maximum(-out, 0.0)])


_MOMENT_PARAMS = """
    Parameters
    ----------
    difference_bound : float or None, default None
        Allowed difference between a group's and the overall value. With
        neither bound set, a difference bound of 0.01 is used (as fairlearn).
    ratio_bound : float or None, default None
        Ratio bound in (0, 1]; a group's value must lie between
        ``ratio_bound`` times the overall value and its inverse.
    ratio_bound_slack : float, default 0.0
        Additive slack of the ratio constraints.

    Raises
    ------
    ValueError
        If both bounds are given, ``ratio_bound`` is not in (0, 1] or
        ``difference_bound`` is negative.
"""


class DemographicParity(_UtilityParity):
    __doc__ = (
        r"""Demographic parity: :math:`P[h(X)=1 | A=a] = P[h(X)=1]` for every group.

    As ``fairlearn.reductions.DemographicParity``: one event (``"all"``), two
    constraints (``+`` and ``-``) per group.
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> DemographicParity(difference_bound=0.02).eps
    0.02
    """
    )

    short_name = "DemographicParity"

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        return np.zeros(len(y), dtype=np.intp), ["all"]


class ErrorRateParity(_UtilityParity):
    __doc__ = (
        r"""Error rate parity: :math:`P[h(X) \ne Y | A=a] = P[h(X) \ne Y]`.

    As ``fairlearn.reductions.ErrorRateParity``.
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> ErrorRateParity().eps
    0.01
    """
    )

    short_name = "ErrorRateParity"

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        return np.zeros(len(y), dtype=np.intp), ["all"]

    def _utilities(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = y.astype(np.float64)
        return 1.0 - 2.0 * y, y


class _LabelEvents(_UtilityParity):
    _labels: tuple[int, ...] = (0, 1)

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        present = [v for v in self._labels if np.any(y == v)]
        code = np.full(len(y), -1, dtype=np.intp)
        for i, v in enumerate(present):
            code[y == v] = i
        return code, [f"label={v}" for v in present]


class EqualizedOdds(_LabelEvents):
    __doc__ = (
        r"""Equalized odds: :math:`P[h(X)=1 | A=a, Y=y] = P[h(X)=1 | Y=y]`.

    As ``fairlearn.reductions.EqualizedOdds``: events ``label=0`` and
    ``label=1``, two constraints per (event, group).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> EqualizedOdds(difference_bound=0.05).eps
    0.05
    """
    )

    short_name = "EqualizedOdds"


class TruePositiveRateParity(_LabelEvents):
    __doc__ = (
        r"""True positive rate parity ("equal opportunity").

    :math:`P[h(X)=1 | A=a, Y=1] = P[h(X)=1 | Y=1]`, as
    ``fairlearn.reductions.TruePositiveRateParity`` (event ``label=1``).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> TruePositiveRateParity().ratio
    1.0
    """
    )

    short_name = "TruePositiveRateParity"
    _labels = (1,)


class FalsePositiveRateParity(_LabelEvents):
    __doc__ = (
        r"""False positive rate parity.

    :math:`P[h(X)=1 | A=a, Y=0] = P[h(X)=1 | Y=0]`, as
    ``fairlearn.reductions.FalsePositiveRateParity`` (event ``label=0``).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> FalsePositiveRateParity(ratio_bound=0.8).ratio
    0.8
    """
    )

    short_name = "FalsePositiveRateParity"
    _labels = (0,)


# --------------------------------------------------------------------------
# The cost-sensitive oracle (shared by both reductions)
# --------------------------------------------------------------------------


def _blas_limits(estimator: Any) -> Any:
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
class _Response:
    estimator: Any
    pred: np.ndarray
    error: float
    gamma: np.ndarray


class _Oracle:
    """Weighted ERM best responses, cached by multiplier vector, warm-started."""

    def __init__(
        self,
        X: Any,
        estimator: Any,
        cons: _LoadedParity,
        obj: _LoadedError,
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
        self.cache: dict[bytes, _Response] = {}
        self.starts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n_calls = 0
        self.n_dummy = 0
        self.n_cache_hits = 0
        self.times: list[float] = []

    def __call__(self, lam: np.ndarray) -> _Response:
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
        pred = _predict01(est, self.X)
        resp = _Response(est, pred, self.obj.gamma(pred), self.cons.gamma(pred))
        self.cache[key] = resp
        return resp


def _load_problem(
    estimator: Any,
    constraints: Any,
    objective: Any,
    sample_weight_name: str,
    X: Any,
    y: Any,
    sensitive_features: Any,
) -> tuple[np.ndarray, _LoadedParity, _LoadedError]:
    if not isinstance(constraints, _UtilityParity):
        raise TypeError(
            "constraints must be a moment from course_lib.fairness.reductions "
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
    n = _n_rows(X)
    y01 = _check_binary_y(y, n)
    cons = constraints._load(y01, sensitive_features)
    return y01, cons, objective._load(y01)


# --------------------------------------------------------------------------
# Exponentiated gradient
# --------------------------------------------------------------------------


@dataclass
class _Gap:
    L: float
    L_low: float
    L_high: float
    gamma: np.ndarray
    error: float

    def gap(self) -> float:
        return max(self.L - self.L_low, self.L_high - self.L)


class _Lagrangian:
    """fairlearn's _Lagrangian on numpy arrays."""

    def __init__(self, oracle: _Oracle, B: float) -> None:
        self.oracle = oracle
        self.cons = oracle.cons
        self.B = B
        self.bound = self.cons.bound()
        self.hs: list[_Response] = []
        self.errors = np.zeros(0)
        self.gammas = np.zeros((len(self.bound), 0))
        self.lambdas: list[np.ndarray] = []
        self.last_lp_n = 0
        self.last_lp: Any = None

    def _eval(
        self, Q: np.ndarray, lam: np.ndarray
    ) -> tuple[float, float, np.ndarray, float]:
        Q = np.pad(Q, (0, len(self.errors) - len(Q)))
        error = float(self.errors @ Q)
        gamma = self.gammas @ Q
        lam = self.cons.project_lambda(lam)
        L = error + float(np.sum(lam * (gamma - self.bound)))
        max_c = float(np.max(gamma - self.bound))
        L_high = error + (self.B * max_c if max_c > 0 else 0.0)
        return L, L_high, gamma, error

    def eval_gap(self, Q: np.ndarray, lam_hat: np.ndarray, nu: float) -> _Gap:
        L, L_high, gamma, error = self._eval(Q, lam_hat)
        res = _Gap(L, L, L_high, gamma, error)
        for mul in (1.0, 2.0, 5.0, 10.0):
            h_idx = self.best_h(mul * lam_hat)
            e = np.zeros(len(self.errors))
            e[h_idx] = 1.0
            L_low_mul = self._eval(e, lam_hat)[0]
            if L_low_mul < res.L_low:
                res.L_low = L_low_mul
            if res.gap() > nu + _PRECISION:
                break
        return res

    def solve_linprog(self, nu: float) -> tuple[np.ndarray, np.ndarray, _Gap]:
        n_hs = len(self.hs)
        k = len(self.bound)
        if self.last_lp_n == n_hs:
            return self.last_lp
        c = np.concatenate([self.errors, [self.B]])
        A_ub = np.concatenate([self.gammas - self.bound[:, None], -np.ones((k, 1))], 1)
        b_ub = np.zeros(k)
        A_eq = np.concatenate([np.ones((1, n_hs)), np.zeros((1, 1))], axis=1)
        b_eq = np.ones(1)
        res = opt.linprog(
            c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs-ds"
        )
        Q = res.x[:-1]
        dual = opt.linprog(
            np.concatenate([b_ub, -b_eq]),
            A_ub=np.concatenate([-A_ub.T, A_eq.T], axis=1),
            b_ub=c,
            bounds=[(0, None)] * k + [(None, None)],
            method="highs-ds",
        )
        lam = dual.x[:-1]
        self.last_lp_n = n_hs
        self.last_lp = (Q, lam, self.eval_gap(Q, lam, nu))
        return self.last_lp

    def best_h(self, lam: np.ndarray) -> int:
        resp = self.oracle(lam)
        h_value = resp.error + float(resp.gamma @ lam)
        if self.hs:
            values = self.errors + self.gammas.T @ lam
            best_idx = int(np.argmin(values))
            best_value = values[best_idx]
        else:
            best_idx, best_value = -1, np.inf
        if h_value < best_value - _PRECISION:
            self.hs.append(resp)
            self.errors = np.append(self.errors, resp.error)
            self.gammas = np.column_stack([self.gammas, resp.gamma])
            self.lambdas.append(lam.copy())
            best_idx = len(self.hs) - 1
        return best_idx


class ExponentiatedGradient(MetaEstimatorMixin, BaseEstimator):
    """Fair randomised classifier by the exponentiated-gradient reduction.

    The algorithm of Agarwal et al. (2018) as implemented by
    ``fairlearn.reductions.ExponentiatedGradient`` 0.15, with cached and
    warm-started best responses (see the module docstring).

    Parameters
    ----------
    estimator : classifier
        Unfitted scikit-learn-style classifier whose ``fit`` accepts
        ``sample_weight_name``; it is cloned for every best response.
    constraints : moment
        :class:`DemographicParity`, :class:`EqualizedOdds`,
        :class:`TruePositiveRateParity`, :class:`FalsePositiveRateParity` or
        :class:`ErrorRateParity`.
    objective : ErrorRate or None, default None
        Objective; ``None`` means ``constraints.default_objective()``.
    eps : float, default 0.01
        Allowed constraint violation; sets the L1 bound ``B = 1 / eps`` of the
        multipliers.
    max_iter : int, default 50
        Maximum number of iterations.
    nu : float or None, default None
        Duality-gap tolerance; ``None`` sets it from the error of the first
        best response as fairlearn does. The value used is ``nu_``.
    eta0 : float, default 2.0
        Initial learning rate (multiplied by ``eps``).
    run_linprog_step : bool, default True
        Also solve the game over the convex hull of the classifiers found so
        far by linear programming at every iteration.
    sample_weight_name : str, default "sample_weight"
        Name of the weight argument of ``estimator.fit``.

    Attributes
    ----------
    predictors_ : pandas.Series
        The fitted best responses (the mixture's support and more).
    weights_ : pandas.Series
        Mixture weight of each predictor (sums to 1).
    lambda_vecs_ : pandas.DataFrame
        Multiplier vector for which each predictor was fitted (one column each).
    lambda_vecs_EG_, lambda_vecs_LP_ : pandas.DataFrame
        Multipliers of the exponentiated-gradient and linear-programming steps
        at every iteration.
    best_gap_ : float
        Duality gap of the returned mixture.
    best_iter_, last_iter_ : int
        Iteration of the returned mixture and the last iteration run.
    n_oracle_calls_ : int
        Number of base-estimator fits made (cached best responses not counted).
    n_oracle_calls_dummy_returned_ : int
        Fits where the relabelled data had one class (a constant classifier).
    n_oracle_cache_hits_ : int
        Best responses answered from the cache.
    oracle_execution_times_ : list of float
        Seconds spent in each fit.
    nu_ : float
        Duality-gap tolerance used.
    constraints_ : moment
        The constraints object used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 400)
    >>> X = np.column_stack([rng.normal(size=400) + a, a])
    >>> y = (X[:, 0] + rng.normal(size=400) > 0.5).astype(int)
    >>> eg = ExponentiatedGradient(LogisticRegression(), DemographicParity())
    >>> eg = eg.fit(X, y, sensitive_features=a)
    >>> bool(np.isclose(eg.weights_.sum(), 1.0))
    True
    >>> pred = eg.predict(X, random_state=1)
    >>> bool(np.array_equal(pred, eg.predict(X, random_state=1)))
    True
    """

    def __init__(
        self,
        estimator: Any,
        constraints: Any,
        *,
        objective: ErrorRate | None = None,
        eps: float = 0.01,
        max_iter: int = 50,
        nu: float | None = None,
        eta0: float = 2.0,
        run_linprog_step: bool = True,
        sample_weight_name: str = "sample_weight",
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.eps = eps
        self.max_iter = max_iter
        self.nu = nu
        self.eta0 = eta0
        self.run_linprog_step = run_linprog_step
        self.sample_weight_name = sample_weight_name

    def _check_params(self) -> None:
        if not (isinstance(self.eps, (int, float)) and np.isfinite(self.eps)) or (
            self.eps <= 0
        ):
            raise ValueError(f"eps must be a finite number > 0; got {self.eps!r}")
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter must be an int >= 1; got {self.max_iter!r}")
        if self.nu is not None and not (self.nu > 0):
            raise ValueError(f"nu must be None or a number > 0; got {self.nu!r}")
        if not self.eta0 > 0:
            raise ValueError(f"eta0 must be a number > 0; got {self.eta0!r}")

    def fit(
        self, X: Any, y: ArrayLike, *, sensitive_features: Any
    ) -> ExponentiatedGradient:
        """Find a fair mixture of best responses of the base estimator.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features, passed unchanged to the base estimator.
        y : array-like of shape (n_samples,)
            Labels, 0 or 1.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group membership of every row; several columns define
            intersectional groups.

        Returns
        -------
        ExponentiatedGradient
            ``self``, fitted.

        Raises
        ------
        ValueError
            If a parameter is out of range, ``y`` is not 0/1, or the sensitive
            features are missing or misshapen.
        TypeError
            If the estimator cannot take sample weights or ``constraints`` /
            ``objective`` are of the wrong type.
        """
        self._check_params()
        y01, cons, obj = _load_problem(
            self.estimator,
            self.constraints,
            self.objective,
            self.sample_weight_name,
            X,
            y,
            sensitive_features,
        )
        B = 1.0 / self.eps
        oracle = _Oracle(
            X, self.estimator, cons, obj, self.sample_weight_name, normalize=True
        )
        with _blas_limits(self.estimator):
            self._run(X, y01, cons, oracle, B)
        return self

    def _run(
        self, X: Any, y01: np.ndarray, cons: _LoadedParity, oracle: _Oracle, B: float
    ) -> None:
        lag = _Lagrangian(oracle, B)
        K = len(cons.index)
        theta = np.zeros(K)
        Qsum = np.zeros(0)
        gaps_EG: list[float] = []
        gaps: list[float] = []
        Qs: list[np.ndarray] = []
        lam_EG_dict: dict[int, np.ndarray] = {}
        lam_LP_dict: dict[int, np.ndarray] = {}
        last_regret_checked = _REGRET_CHECK_START_T
        last_gap = np.inf
        lam_cumsum = np.zeros(K)
        nu = self.nu
        eta = self.eta0 / B
        for t in range(self.max_iter):
            e_theta = np.exp(theta)
            lam = B * e_theta / (1.0 + e_theta.sum())
            lam_EG_dict[t] = lam
            lam_cumsum = lam_cumsum + lam
            lam_EG = lam_cumsum / (t + 1)

            h_idx = lag.best_h(lam)
            if t == 0 and nu is None:
                err = np.abs(lag.hs[h_idx].pred - y01)
                nu = _ACCURACY_MUL * err.std(ddof=1) / np.sqrt(cons.n)
            if len(Qsum) <= h_idx:
                Qsum = np.pad(Qsum, (0, h_idx + 1 - len(Qsum)))
            Qsum[h_idx] += 1.0
            gamma = lag.gammas[:, h_idx]
            Q_EG = Qsum / Qsum.sum()
            res_EG = lag.eval_gap(Q_EG, lam_EG, nu)
            gap_EG = res_EG.gap()
            gaps_EG.append(gap_EG)

            if t == 0 or not self.run_linprog_step:
                gap_LP = np.inf
            else:
                Q_LP, lam_LP, res_LP = lag.solve_linprog(nu)
                lam_LP_dict[t] = lam_LP
                gap_LP = res_LP.gap()

            if gap_EG < gap_LP:
                Qs.append(Q_EG)
                gaps.append(gap_EG)
            else:
                Qs.append(Q_LP)
                gaps.append(gap_LP)

            if gaps[t] < nu and t >= _MIN_ITER:
                break

            if t >= last_regret_checked * _REGRET_CHECK_INCREASE_T:
                best_gap = min(gaps_EG)
                if best_gap > last_gap * _SHRINK_REGRET:
                    eta *= _SHRINK_ETA
                last_regret_checked = t
                last_gap = best_gap

            theta = theta + eta * (gamma - lag.bound)

        gaps_arr = np.asarray(gaps)
        self.best_iter_ = int(
            np.flatnonzero(gaps_arr <= gaps_arr.min() + _PRECISION)[-1]
        )
        self.best_gap_ = float(gaps_arr[self.best_iter_])
        n_hs = len(lag.hs)
        w = np.pad(Qs[self.best_iter_], (0, n_hs - len(Qs[self.best_iter_])))
        self.weights_ = pd.Series(w, index=pd.RangeIndex(n_hs))
        self.last_iter_ = len(Qs) - 1
        self.predictors_ = pd.Series([h.estimator for h in lag.hs], dtype=object)
        self.constraints_ = self.constraints
        self.nu_ = float(nu)
        self.n_oracle_calls_ = oracle.n_calls
        self.n_oracle_calls_dummy_returned_ = oracle.n_dummy
        self.n_oracle_cache_hits_ = oracle.n_cache_hits
        self.oracle_execution_times_ = oracle.times
        self.lambda_vecs_EG_ = pd.DataFrame(lam_EG_dict, index=cons.index)
        self.lambda_vecs_LP_ = pd.DataFrame(lam_LP_dict, index=cons.index)
        self.lambda_vecs_ = pd.DataFrame(
            dict(enumerate(lag.lambdas)), index=cons.index, dtype=np.float64
        )

    def _pmf_predict(self, X: Any) -> np.ndarray:
        """Probabilities of predicting 0 and 1 under the mixture.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns: probability of 0, probability of 1.
        """
        check_is_fitted(self)
        w = self.weights_.to_numpy()
        used = np.flatnonzero(w > 0)
        n = _n_rows(X)
        pos = np.zeros(n)
        for i in used:  # one vectorised predict per predictor in the mixture
            pos += w[i] * _predict01(self.predictors_.iloc[i], X)
        return np.column_stack([1.0 - pos, pos])

    def predict(self, X: Any, random_state: Any = None) -> np.ndarray:
        """Randomised 0/1 predictions drawn from the mixture.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features.
        random_state : int, None, numpy.random.RandomState or Generator
            Source of the uniform draws; an int makes the output reproducible
            (and equal to fairlearn's for the same mixture).

        Returns
        -------
        ndarray of shape (n_samples,)
            0/1 predictions: row ``i`` is 1 when ``P(1 | x_i) >= u_i``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If called before ``fit``.
        """
        pos = self._pmf_predict(X)[:, 1]
        if isinstance(random_state, np.random.Generator):
            u = random_state.random(len(pos))
        else:
            u = check_random_state(random_state).rand(len(pos))
        return (pos >= u).astype(np.int64)


# --------------------------------------------------------------------------
# Grid search
# --------------------------------------------------------------------------


def _integer_grid(dim: int, n_units: int) -> list[tuple[int, ...]]:
    """fairlearn's recursive enumeration, in its order (all signs allowed)."""
    out: list[tuple[int, ...]] = []

    def rec(prefix: tuple[int, ...], budget: int) -> None:
        if len(prefix) == dim:
            out.append(prefix)
            return
        for v in range(-budget, budget + 1):
            rec((*prefix, v), budget - abs(v))

    rec((), n_units)
    return out


def _make_grid(cons: _LoadedParity, grid_size: int, grid_limit: float) -> np.ndarray:
    dim = len(cons.basis)
    k = cons.n_pairs
    if dim == 0:
        return np.zeros((2 * k, min(grid_size, 1)))
    n_units = max(int(np.floor((grid_size / 2.0**dim) ** (1.0 / dim) - 1)), 0)
    while True:
        pts = _integer_grid(dim, n_units)
        if len(pts) >= grid_size:
            break
        n_units += 1
    coefs = np.asarray(pts[:grid_size], dtype=np.float64).T  # dim x grid_size
    coefs = coefs * (float(grid_limit) / n_units if n_units else 0.0)
    grid = np.zeros((2 * k, coefs.shape[1]))
    for i, p in enumerate(cons.basis):
        if p >= 0:
            grid[p] += np.maximum(coefs[i], 0.0)
            grid[k + p] += np.maximum(-coefs[i], 0.0)
    return grid


class GridSearch(MetaEstimatorMixin, BaseEstimator):
    """Fair classifier by grid search over Lagrange multipliers.

    Section 3.4 of Agarwal et al. (2018), as ``fairlearn.reductions.GridSearch``
    0.15: one weighted fit of the base estimator per multiplier vector of a
    grid with bounded L1 norm; the predictor minimising
    ``(1 - constraint_weight) * error + constraint_weight * max violation``
    is used by ``predict``.

    Parameters
    ----------
    estimator : classifier
        Unfitted classifier whose ``fit`` accepts ``sample_weight_name``.
    constraints : moment
        A parity moment (see :class:`ExponentiatedGradient`).
    selection_rule : {"tradeoff_optimization"}, default "tradeoff_optimization"
        How the best predictor is chosen.
    constraint_weight : float, default 0.5
        Weight of the constraint violation in the selection, in [0, 1].
    grid_size : int, default 10
        Number of multiplier vectors.
    grid_limit : float, default 2.0
        Largest L1 norm of a multiplier vector.
    sample_weight_name : str, default "sample_weight"
        Name of the weight argument of ``estimator.fit``.

    Attributes
    ----------
    predictors_ : list
        One fitted estimator per grid point.
    lambda_vecs_ : pandas.DataFrame
        The grid, one column per point, indexed like the constraints.
    objectives_ : list of float
        Error of each predictor on the training data.
    gammas_ : pandas.DataFrame
        Constraint values of each predictor.
    best_idx_ : int
        Position of the selected predictor.
    oracle_execution_times_ : list of float
        Seconds spent in each fit.
    constraints_ : moment
        The constraints object used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 2, 400)
    >>> X = np.column_stack([rng.normal(size=400) + a, a])
    >>> y = (X[:, 0] + rng.normal(size=400) > 0.5).astype(int)
    >>> gs = GridSearch(LogisticRegression(), DemographicParity(), grid_size=5)
    >>> gs = gs.fit(X, y, sensitive_features=a)
    >>> gs.lambda_vecs_.shape
    (4, 5)
    >>> gs.lambda_vecs_.sum().tolist()  # L1 norms of the grid points
    [2.0, 1.0, 0.0, 1.0, 2.0]
    """

    def __init__(
        self,
        estimator: Any,
        constraints: Any,
        *,
        selection_rule: str = "tradeoff_optimization",
        constraint_weight: float = 0.5,
        grid_size: int = 10,
        grid_limit: float = 2.0,
        sample_weight_name: str = "sample_weight",
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.selection_rule = selection_rule
        self.constraint_weight = constraint_weight
        self.grid_size = grid_size
        self.grid_limit = grid_limit
        self.sample_weight_name = sample_weight_name

    def fit(self, X: Any, y: ArrayLike, *, sensitive_features: Any) -> GridSearch:
        """Fit one predictor per grid point and select the best trade-off.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features, passed unchanged to the base estimator.
        y : array-like of shape (n_samples,)
            Labels, 0 or 1.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group membership of every row.

        Returns
        -------
        GridSearch
            ``self``, fitted.

        Raises
        ------
        ValueError
            If a parameter is out of range or the data are invalid.
        TypeError
            If the estimator cannot take sample weights or ``constraints`` is
            not a parity moment.
        """
        if self.selection_rule != "tradeoff_optimization":
            raise ValueError(
                "selection_rule must be 'tradeoff_optimization'; got "
                f"{self.selection_rule!r}"
            )
        if not 0.0 <= self.constraint_weight <= 1.0:
            raise ValueError(
                f"constraint_weight must be in [0, 1]; got {self.constraint_weight!r}"
            )
        if not isinstance(self.grid_size, (int, np.integer)) or self.grid_size < 1:
            raise ValueError(f"grid_size must be an int >= 1; got {self.grid_size!r}")
        if not (np.isfinite(self.grid_limit) and self.grid_limit > 0):
            raise ValueError(
                f"grid_limit must be a finite number > 0; got {self.grid_limit!r}"
            )
        _, cons, obj = _load_problem(
            self.estimator,
            self.constraints,
            None,
            self.sample_weight_name,
            X,
            y,
            sensitive_features,
        )
        grid = _make_grid(cons, int(self.grid_size), float(self.grid_limit))
        oracle = _Oracle(
            X,
            self.estimator,
            cons,
            obj,
            self.sample_weight_name,
            normalize=False,
            deepcopy=True,
        )
        with _blas_limits(self.estimator):
            responses = [oracle(grid[:, j]) for j in range(grid.shape[1])]
        self.predictors_ = [r.estimator for r in responses]
        self.objectives_ = [r.error for r in responses]
        self.lambda_vecs_ = pd.DataFrame(grid, index=cons.index)
        self.gammas_ = pd.DataFrame(
            np.column_stack([r.gamma for r in responses]), index=cons.index
        )
        losses = (1.0 - self.constraint_weight) * np.asarray(
            self.objectives_
        ) + self.constraint_weight * self.gammas_.to_numpy().max(axis=0)
        self.best_idx_ = int(np.argmin(losses))
        self.oracle_execution_times_ = oracle.times
        self.constraints_ = self.constraints
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the selected predictor.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples,)
            The selected predictor's predictions.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If called before ``fit``.
        """
        check_is_fitted(self)
        return self.predictors_[self.best_idx_].predict(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the selected predictor.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Features.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            The selected predictor's ``predict_proba``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If called before ``fit``.
        """
        check_is_fitted(self)
        return self.predictors_[self.best_idx_].predict_proba(X)
