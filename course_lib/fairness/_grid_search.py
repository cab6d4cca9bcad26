"""Grid search over Lagrange multipliers (Agarwal et al. 2018, section 3.4).

:class:`GridSearch` fits one classifier for each multiplier vector of a fixed
grid with bounded L1 norm and keeps the best trade-off between error and
constraint violation, as ``fairlearn.reductions.GridSearch`` 0.15 (same grid,
in the same order). The best responses come from the shared oracle
(:mod:`course_lib.fairness._oracle`); see
:class:`~course_lib.fairness.ExponentiatedGradient` for how this
implementation differs from fairlearn's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils.validation import check_is_fitted

from course_lib._checks import (
    check_choice,
    check_int,
    check_positive,
    check_probability,
)
from course_lib.fairness._moments import LoadedParity
from course_lib.fairness._oracle import Oracle, blas_limits, load_problem

__all__ = ["GridSearch"]


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


def _make_grid(cons: LoadedParity, grid_size: int, grid_limit: float) -> np.ndarray:
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
    >>> from course_lib.fairness import DemographicParity
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
        check_choice(self.selection_rule, "selection_rule", ("tradeoff_optimization",))
        check_probability(self.constraint_weight, "constraint_weight")
        check_int(self.grid_size, "grid_size", low=1)
        check_positive(self.grid_limit, "grid_limit")
        _, cons, obj = load_problem(
            self.estimator,
            self.constraints,
            None,
            self.sample_weight_name,
            X,
            y,
            sensitive_features,
        )
        grid = _make_grid(cons, int(self.grid_size), float(self.grid_limit))
        oracle = Oracle(
            X,
            self.estimator,
            cons,
            obj,
            self.sample_weight_name,
            normalize=False,
            deepcopy=True,
        )
        with blas_limits(self.estimator):
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
