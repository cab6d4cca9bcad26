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
  whenever a gap check or the linear program repeats earlier multipliers).
  Here an answer is cached by the exact bytes of the multiplier vector, so
  the result is identical and ``n_oracle_calls_`` counts the fits
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
  the metrics of :mod:`course_lib.fairness` (no missing values; several columns
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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from course_lib._checks import check_int, check_positive
from course_lib.fairness._lagrangian import PRECISION, Lagrangian
from course_lib.fairness._moments import ErrorRate, LoadedParity
from course_lib.fairness._oracle import (
    Oracle,
    blas_limits,
    load_problem,
    n_rows,
    predict01,
)

__all__ = ["ExponentiatedGradient"]

# Constants of fairlearn 0.15 (fairlearn/reductions/_exponentiated_gradient).
_ACCURACY_MUL = 0.5
_REGRET_CHECK_START_T = 5
_REGRET_CHECK_INCREASE_T = 1.6
_SHRINK_REGRET = 0.8
_SHRINK_ETA = 0.8
_MIN_ITER = 5


def _first_nu(pred: np.ndarray, y01: np.ndarray, n: int) -> float:
    """fairlearn's default duality-gap tolerance, from the first best response."""
    err = np.abs(pred - y01)
    return _ACCURACY_MUL * err.std(ddof=1) / np.sqrt(n)


@dataclass
class _Run:
    """The state of one run of exponentiated gradient (fairlearn's loop)."""

    theta: np.ndarray
    lam_cumsum: np.ndarray
    nu: float | None
    eta: float
    Qsum: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gaps_EG: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    Qs: list[np.ndarray] = field(default_factory=list)
    lam_EG_dict: dict[int, np.ndarray] = field(default_factory=dict)
    lam_LP_dict: dict[int, np.ndarray] = field(default_factory=dict)
    last_regret_checked: float = _REGRET_CHECK_START_T
    last_gap: float = np.inf

    @classmethod
    def start(cls, n_constraints: int, nu: float | None, eta: float) -> _Run:
        return cls(np.zeros(n_constraints), np.zeros(n_constraints), nu, eta)

    def multipliers(self, t: int, B: float) -> tuple[np.ndarray, np.ndarray]:
        """This iteration's multipliers and their running average."""
        e_theta = np.exp(self.theta)
        lam = B * e_theta / (1.0 + e_theta.sum())
        self.lam_EG_dict[t] = lam
        self.lam_cumsum = self.lam_cumsum + lam
        return lam, self.lam_cumsum / (t + 1)

    def add_best_response(self, h_idx: int) -> np.ndarray:
        """Count a play of classifier ``h_idx``; return the average play."""
        if len(self.Qsum) <= h_idx:
            self.Qsum = np.pad(self.Qsum, (0, h_idx + 1 - len(self.Qsum)))
        self.Qsum[h_idx] += 1.0
        return self.Qsum / self.Qsum.sum()

    def keep_better(
        self, Q_EG: np.ndarray, gap_EG: float, Q_LP: np.ndarray | None, gap_LP: float
    ) -> None:
        """Keep the mixture with the smaller duality gap (EG on ties)."""
        if gap_EG < gap_LP:
            self.Qs.append(Q_EG)
            self.gaps.append(gap_EG)
        else:
            self.Qs.append(Q_LP)
            self.gaps.append(gap_LP)

    def adapt_learning_rate(self, t: int) -> None:
        """Shrink the learning rate when the best gap stopped shrinking."""
        if t >= self.last_regret_checked * _REGRET_CHECK_INCREASE_T:
            best_gap = min(self.gaps_EG)
            if best_gap > self.last_gap * _SHRINK_REGRET:
                self.eta *= _SHRINK_ETA
            self.last_regret_checked = t
            self.last_gap = best_gap


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
    >>> from course_lib.fairness import DemographicParity
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
        check_positive(self.eps, "eps")
        check_int(self.max_iter, "max_iter", low=1)
        if self.nu is not None:
            check_positive(self.nu, "nu")
        check_positive(self.eta0, "eta0")

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
        y01, cons, obj = load_problem(
            self.estimator,
            self.constraints,
            self.objective,
            self.sample_weight_name,
            X,
            y,
            sensitive_features,
        )
        B = 1.0 / self.eps
        oracle = Oracle(
            X, self.estimator, cons, obj, self.sample_weight_name, normalize=True
        )
        with blas_limits(self.estimator):
            self._run(X, y01, cons, oracle, B)
        return self

    def _run(
        self, X: Any, y01: np.ndarray, cons: LoadedParity, oracle: Oracle, B: float
    ) -> None:
        lag = Lagrangian(oracle, B)
        run = _Run.start(len(cons.index), self.nu, self.eta0 / B)
        for t in range(self.max_iter):
            lam, lam_EG = run.multipliers(t, B)
            h_idx = lag.best_h(lam)
            if t == 0 and run.nu is None:
                run.nu = _first_nu(lag.hs[h_idx].pred, y01, cons.n)
            Q_EG = run.add_best_response(h_idx)
            gamma = lag.gammas[:, h_idx]
            gap_EG = lag.eval_gap(Q_EG, lam_EG, run.nu).gap()
            run.gaps_EG.append(gap_EG)
            if t == 0 or not self.run_linprog_step:
                Q_LP, gap_LP = None, np.inf
            else:
                Q_LP, lam_LP, res_LP = lag.solve_linprog(run.nu)
                run.lam_LP_dict[t] = lam_LP
                gap_LP = res_LP.gap()
            run.keep_better(Q_EG, gap_EG, Q_LP, gap_LP)
            if run.gaps[t] < run.nu and t >= _MIN_ITER:
                break
            run.adapt_learning_rate(t)
            run.theta = run.theta + run.eta * (gamma - lag.bound)
        self._store(lag, run, oracle, cons)

    def _store(
        self, lag: Lagrangian, run: _Run, oracle: Oracle, cons: LoadedParity
    ) -> None:
        """Set the fitted attributes from a finished run."""
        gaps_arr = np.asarray(run.gaps)
        self.best_iter_ = int(
            np.flatnonzero(gaps_arr <= gaps_arr.min() + PRECISION)[-1]
        )
        self.best_gap_ = float(gaps_arr[self.best_iter_])
        n_hs = len(lag.hs)
        best_Q = run.Qs[self.best_iter_]
        w = np.pad(best_Q, (0, n_hs - len(best_Q)))
        self.weights_ = pd.Series(w, index=pd.RangeIndex(n_hs))
        self.last_iter_ = len(run.Qs) - 1
        self.predictors_ = pd.Series([h.estimator for h in lag.hs], dtype=object)
        self.constraints_ = self.constraints
        self.nu_ = float(run.nu)
        self.n_oracle_calls_ = oracle.n_calls
        self.n_oracle_calls_dummy_returned_ = oracle.n_dummy
        self.n_oracle_cache_hits_ = oracle.n_cache_hits
        self.oracle_execution_times_ = oracle.times
        self.lambda_vecs_EG_ = pd.DataFrame(run.lam_EG_dict, index=cons.index)
        self.lambda_vecs_LP_ = pd.DataFrame(run.lam_LP_dict, index=cons.index)
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
        n = n_rows(X)
        pos = np.zeros(n)
        for i in used:  # one vectorised predict per predictor in the mixture
            pos += w[i] * predict01(self.predictors_.iloc[i], X)
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
