"""Post-processing for group fairness: the threshold optimizer of Hardt et al.

:class:`ThresholdOptimizer` changes a trained model's *decisions* without
retraining it: it is the randomised group-threshold classifier of Hardt, Price
and Srebro (2016), "Equality of Opportunity in Supervised Learning", with the
names, parameters and semantics of
``fairlearn.postprocessing.ThresholdOptimizer`` 0.15. It searches the per-group
trade-off curves of :mod:`course_lib.fairness._curves`; the plain group
thresholds and ROC sweeps, and bolt-on randomisation, are
:func:`~course_lib.fairness.group_thresholds`,
:func:`~course_lib.fairness.threshold_sweep` and
:func:`~course_lib.fairness.bolt_on_randomization`.

Conventions are those of the metrics of :mod:`course_lib.fairness` (inputs
aligned by position, sensitive features as one column or several, groups
sorted by value, NaN for a rate with an empty denominator). Scores must be
finite. Labels for fitting are 0/1 (booleans allowed), as in fairlearn.

Where this module differs from fairlearn 0.15's ``ThresholdOptimizer``:

* ``predict``/``_pmf_predict`` raise ``ValueError`` for a group not seen in
  ``fit`` (fairlearn silently predicts 0 for its rows).
* ``prefit=True`` with an unfitted estimator raises
  :class:`sklearn.exceptions.NotFittedError` (fairlearn warns).
* ``fit`` accepts ``sample_weight``: it is passed to the estimator's ``fit``
  and weights the ROC counts and the group proportions (fairlearn has no
  weights in the threshold search).
* ``random_state`` is an int, ``None`` or a :class:`numpy.random.Generator`;
  the random numbers differ from fairlearn's ``RandomState`` stream.
* fairlearn's ``tol`` (relaxed constraints) is not implemented.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from course_lib._checks import (
    as_binary_1d,
    as_float_1d,
    check_choice,
    check_int,
    check_sample_weight,
)
from course_lib.fairness._counting import feature_columns, group_codes, group_index
from course_lib.fairness._curves import Curves, curve_metric

__all__ = ["ThresholdOptimizer"]


SIMPLE_CONSTRAINTS = {
    "selection_rate_parity": "selection_rate",
    "demographic_parity": "selection_rate",
    "false_positive_rate_parity": "false_positive_rate",
    "false_negative_rate_parity": "false_negative_rate",
    "true_positive_rate_parity": "true_positive_rate",
    "true_negative_rate_parity": "true_negative_rate",
}
ALL_CONSTRAINTS = (*SIMPLE_CONSTRAINTS, "equalized_odds")
OBJECTIVES_FOR_SIMPLE_CONSTRAINTS = (
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
)
OBJECTIVES_FOR_EQUALIZED_ODDS = ("accuracy_score", "balanced_accuracy_score")
PREDICT_METHODS = ("auto", "predict_proba", "decision_function", "predict")


def _lookup_groups(
    sensitive_features: Any,
    n: int,
    levels: list[pd.Index],
    level_codes: np.ndarray,
) -> np.ndarray:
    """Code each row into the groups seen in fit; raise for unseen groups."""
    columns = feature_columns(sensitive_features, n)
    if len(columns) != len(levels):
        raise ValueError(
            f"sensitive_features must have {len(levels)} column(s), as in fit; "
            f"got {len(columns)}"
        )
    sizes = np.array([len(lev) for lev in levels], dtype=np.int64)
    strides = np.cumprod(np.r_[sizes[1:], 1][::-1])[::-1]
    key = np.zeros(n, dtype=np.int64)
    unseen = np.zeros(n, dtype=bool)
    for j, ((_, values), lev) in enumerate(zip(columns, levels, strict=True)):
        codes = lev.get_indexer(pd.Index(values))
        unseen |= codes < 0
        key += codes.astype(np.int64) * strides[j]
    group = pd.Index(level_codes.astype(np.int64) @ strides).get_indexer(key)
    unseen |= group < 0
    if unseen.any():
        first = np.flatnonzero(unseen)[:5]
        example = [tuple(pd.Series(v).iloc[i] for _, v in columns) for i in first]
        raise ValueError(
            "sensitive_features must only contain groups seen in fit; got "
            f"{int(unseen.sum())} row(s) from unseen groups, e.g. {example}"
        )
    return group


def _soft_scores(estimator: Any, X: Any, method: str) -> np.ndarray:
    """Scores of ``estimator`` on ``X`` (fairlearn's ``predict_method``)."""
    if method == "auto":
        for candidate in ("predict_proba", "decision_function", "predict"):
            if hasattr(estimator, candidate):
                method = candidate
                break
    if not hasattr(estimator, method):
        raise ValueError(
            f"predict_method must name a method of the estimator; "
            f"{type(estimator).__name__} has no {method!r}"
        )
    out = np.asarray(getattr(estimator, method)(X))
    if method == "predict_proba":
        if out.ndim != 2 or out.shape[1] != 2:
            raise ValueError(
                "estimator.predict_proba must return shape (n, 2) for a binary "
                f"problem; got {out.shape}"
            )
        out = out[:, 1]
    return as_float_1d(out, f"the estimator's {method} output")


def _label_weights(
    labels: np.ndarray, w: np.ndarray, group: np.ndarray, groups: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted positives and negatives of every group; both must be positive."""
    n_groups = len(groups)
    pos = np.bincount(group, weights=w * labels, minlength=n_groups)
    neg = np.bincount(group, weights=w * (1 - labels), minlength=n_groups)
    degenerate = np.flatnonzero((pos <= 0) | (neg <= 0))
    if degenerate.size:
        raise ValueError(
            "every group must have both labels (with positive weight) to "
            f"build its ROC curve; got only one label in group(s) "
            f"{groups[degenerate].tolist()[:5]}"
        )
    return pos, neg


def _equalized_odds_choice(
    curves: Curves, objective: str, pos: np.ndarray, neg: np.ndarray, x_grid: np.ndarray
) -> tuple[int, float, float, np.ndarray]:
    """Best common (FPR, TPR) point and every group's ``p_ignore``.

    At every false positive rate the common TPR is the lowest hull height; a
    group above it mixes in, with probability ``p_ignore``, a coin on the ROC
    diagonal.
    """
    y_min = curves.y.min(axis=0)
    P, N = pos.sum(), neg.sum()
    values = np.around(curve_metric(objective, P * y_min, N * x_grid, P, N), 15)
    best = int(np.argmax(values))
    x_best, y_best = x_grid[best], y_min[best]
    y_g = curves.y[:, best]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_ignore = np.where(y_g == x_best, 0.0, (y_g - y_best) / (y_g - x_best))
    return best, x_best, y_best, p_ignore


def _simple_choice(
    curves: Curves, group: np.ndarray, w: np.ndarray, x_grid: np.ndarray
) -> tuple[int, float, float]:
    """Best common value of the constrained rate: group-size weighted objective."""
    n_groups = len(curves.y)
    proportions = np.bincount(group, weights=w, minlength=n_groups) / w.sum()
    overall = proportions @ curves.y
    best = int(np.argmax(overall))
    return best, x_grid[best], overall[best]


class ThresholdOptimizer(MetaEstimatorMixin, BaseEstimator):
    """Randomised group-specific thresholds under a fairness constraint.

    Hardt, Price and Srebro (2016), with the parameters and semantics of
    ``fairlearn.postprocessing.ThresholdOptimizer`` 0.15. For every group the
    scores of ``estimator`` are thresholded at every possible cut; each cut is
    a point (``x`` = the constrained rate, ``y`` = the objective) and
    randomising between two cuts reaches any point on a segment between them,
    so a group can reach every point under the upper convex hull of its points
    (for equalized odds: its ROC hull). Then:

    * **simple constraints** (equal selection rate, TPR, FPR, TNR or FNR): on
      a grid of ``grid_size + 1`` common values ``x`` in [0, 1], the objective
      is the group-size weighted mean of the hulls' heights; the best ``x`` is
      chosen and every group mixes the two cuts of its hull segment at ``x``;
    * **equalized odds**: on a grid of false positive rates ``x``, the best
      common true positive rate is the lowest hull height over the groups
      (every group can lower its TPR at fixed FPR by replacing, with
      probability ``p_ignore``, its decision by a coin that says 1 with
      probability ``x``: a point on the ROC diagonal); the objective
      (accuracy or balanced accuracy of the whole data) picks ``x``.

    The result predicts 1 with a probability that depends on the group and on
    which of two group thresholds the score passes (see :meth:`_pmf_predict`);
    :meth:`predict` draws from it.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn style classifier or regressor whose scores are
        post-processed. Required.
    constraints : str, default "demographic_parity"
        ``"demographic_parity"`` (or ``"selection_rate_parity"``),
        ``"true_positive_rate_parity"`` (Hardt et al.'s equal opportunity),
        ``"false_positive_rate_parity"``, ``"true_negative_rate_parity"``,
        ``"false_negative_rate_parity"`` or ``"equalized_odds"``.
    objective : str, default "accuracy_score"
        ``"accuracy_score"`` or ``"balanced_accuracy_score"``; for the simple
        constraints also ``"selection_rate"``, ``"true_positive_rate"`` or
        ``"true_negative_rate"``. As in fairlearn, for simple constraints the
        objective is the group-size weighted mean of the group objectives.
    grid_size : int, default 1000
        Number of intervals of the grid of constraint values in [0, 1].
    flip : bool, default False
        Also consider the flipped rules "score below the threshold gives 1".
    prefit : bool, default False
        Use ``estimator`` as fitted instead of fitting a clone of it.
    predict_method : {"auto", "predict_proba", "decision_function", "predict"}
        Which method of the estimator gives the scores: ``"auto"`` uses the
        first that exists in that order; ``"predict_proba"`` uses column 1.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted (or, with ``prefit=True``, the given) estimator.
    groups_ : pandas.Index
        The groups seen in fit, sorted (a MultiIndex for several features).
    x_metric_, y_metric_ : str
        Names of the constrained rate and of the objective on the curves.
    x_best_ : float
        The chosen common value of the constrained rate (for equalized odds,
        the false positive rate).
    y_best_ : float
        The objective at ``x_best_`` (for equalized odds, the common TPR).
    thresholds_ : ndarray of shape (n_groups, 2)
        Each group's two thresholds (``inf``/``-inf`` select nobody/everybody).
    flipped_ : ndarray of shape (n_groups, 2), dtype bool
        Whether each rule is "score < threshold" instead of "score > threshold".
    p0_ : ndarray of shape (n_groups,)
        Probability of applying the first rule (the second gets ``1 - p0_``).
    p_ignore_ : ndarray of shape (n_groups,)
        Probability of replacing the decision by a coin with
        ``P(1) = prediction_constant_`` (0 except for equalized odds).
    prediction_constant_ : float
        That coin's probability of 1 (``x_best_`` for equalized odds, else 0).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = [[0], [1], [2], [3], [4], [5], [6], [7], [8], [9]]
    >>> y = [1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
    >>> a = ["a", "b", "a", "a", "b", "a", "b", "b", "a", "b"]
    >>> opt = ThresholdOptimizer(estimator=LogisticRegression(),
    ...                          constraints="demographic_parity").fit(
    ...     X, y, sensitive_features=a)
    >>> p = opt._pmf_predict(X, sensitive_features=a)[:, 1]
    >>> import numpy as np
    >>> [round(float(p[np.array(a) == g].mean()), 6) for g in ("a", "b")]
    [0.6, 0.6]
    >>> opt.predict(X, sensitive_features=a, random_state=0).shape
    (10,)
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        constraints: Literal[
            "demographic_parity",
            "equalized_odds",
            "false_negative_rate_parity",
            "false_positive_rate_parity",
            "selection_rate_parity",
            "true_negative_rate_parity",
            "true_positive_rate_parity",
        ] = "demographic_parity",
        objective: Literal[
            "accuracy_score",
            "balanced_accuracy_score",
            "selection_rate",
            "true_positive_rate",
            "true_negative_rate",
        ] = "accuracy_score",
        grid_size: int = 1000,
        flip: bool = False,
        prefit: bool = False,
        predict_method: Literal[
            "auto", "predict_proba", "decision_function", "predict"
        ] = "auto",
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.flip = flip
        self.prefit = prefit
        self.predict_method = predict_method

    def _validate_params(self) -> None:
        if self.estimator is None:
            raise ValueError(
                "estimator must be a scikit-learn style estimator; got None"
            )
        check_choice(self.constraints, "constraints", ALL_CONSTRAINTS)
        allowed = (
            OBJECTIVES_FOR_EQUALIZED_ODDS
            if self.constraints == "equalized_odds"
            else OBJECTIVES_FOR_SIMPLE_CONSTRAINTS
        )
        try:
            check_choice(self.objective, "objective", allowed)
        except ValueError as err:  # the objectives depend on the constraints
            raise ValueError(
                f"{err} (the objectives allowed for constraints={self.constraints!r})"
            ) from None
        check_int(self.grid_size, "grid_size", low=1)
        check_choice(self.predict_method, "predict_method", PREDICT_METHODS)

    def fit(
        self,
        X: Any,
        y: ArrayLike,
        *,
        sensitive_features: Any,
        sample_weight: ArrayLike | None = None,
        **kwargs: Any,
    ) -> ThresholdOptimizer:
        """Fit the estimator (unless ``prefit``) and choose the group thresholds.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features, passed to the estimator unchanged.
        y : array-like of shape (n,)
            Labels 0/1 (booleans allowed).
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; several columns give intersectional groups.
            Every group needs at least one positive and one negative label.
        sample_weight : array-like of shape (n,), optional
            Passed to the estimator's ``fit`` (when fitted here) and used to
            weight the counts of the threshold search.
        **kwargs
            Further arguments for the estimator's ``fit``.

        Returns
        -------
        ThresholdOptimizer
            ``self``.

        Raises
        ------
        ValueError
            On an invalid parameter, labels other than 0/1, mismatched lengths,
            missing sensitive values, a group with only one label, or
            non-finite scores.
        sklearn.exceptions.NotFittedError
            With ``prefit=True`` and an estimator that is not fitted.
        """
        self._validate_params()
        labels = as_binary_1d(y, "y").astype(np.int8)
        n = len(labels)
        if len(X) != n:
            raise ValueError(f"X and y must have the same length; got {len(X)} and {n}")
        weights = check_sample_weight(sample_weight, n)
        group, levels, level_codes = group_codes(sensitive_features, n)
        n_groups = len(level_codes)
        w = np.ones(n) if weights is None else weights
        groups = group_index(levels, level_codes)
        pos, neg = _label_weights(labels, w, group, groups)
        scores = self._fit_scores(X, labels, weights, kwargs)
        x_grid = np.linspace(0, 1, self.grid_size + 1)
        if self.constraints == "equalized_odds":
            self.x_metric_, self.y_metric_ = "false_positive_rate", "true_positive_rate"
        else:
            self.x_metric_ = SIMPLE_CONSTRAINTS[self.constraints]
            self.y_metric_ = self.objective
        curves = Curves(
            scores,
            labels,
            w,
            group,
            n_groups,
            self.x_metric_,
            self.y_metric_,
            bool(self.flip),
            x_grid,
        )
        if self.constraints == "equalized_odds":
            best, x_best, y_best, p_ignore = _equalized_odds_choice(
                curves, self.objective, pos, neg, x_grid
            )
            constant = float(x_best)
        else:
            best, x_best, y_best = _simple_choice(curves, group, w, x_grid)
            p_ignore = np.zeros(n_groups)
            constant = 0.0
        self.groups_ = groups
        self._levels = levels
        self._level_codes = level_codes
        self.x_best_ = float(x_best)
        self.y_best_ = float(y_best)
        self.thresholds_ = np.column_stack([curves.t0[:, best], curves.t1[:, best]])
        self.flipped_ = np.column_stack([curves.flip0[:, best], curves.flip1[:, best]])
        self.p0_ = curves.p0[np.arange(n_groups), best].copy()
        self.p_ignore_ = p_ignore
        self.prediction_constant_ = constant
        return self

    def _fit_scores(
        self, X: Any, labels: np.ndarray, weights: np.ndarray | None, kwargs: dict
    ) -> np.ndarray:
        """Fit the estimator (unless ``prefit``) and return its scores on ``X``."""
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator
        else:
            fit_kwargs = dict(kwargs)
            if weights is not None:
                fit_kwargs["sample_weight"] = weights
            self.estimator_ = clone(self.estimator).fit(X, labels, **fit_kwargs)
        scores = _soft_scores(self.estimator_, X, self.predict_method)
        if len(scores) != len(labels):
            raise ValueError(
                f"the estimator's scores must have one value per row ({len(labels)}); "
                f"got {len(scores)}"
            )
        return scores

    def _pmf_predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        """Probabilities of predicting 0 and 1 for every row.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; every group must have been seen in fit.

        Returns
        -------
        ndarray of shape (n, 2)
            Column 0 is ``P(prediction = 0)``, column 1 ``P(prediction = 1)``
            (as fairlearn's ``_pmf_predict``).

        Raises
        ------
        ValueError
            For unseen groups, mismatched lengths or non-finite scores.
        sklearn.exceptions.NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "thresholds_")
        scores = _soft_scores(self.estimator_, X, self.predict_method)
        g = _lookup_groups(
            sensitive_features, len(scores), self._levels, self._level_codes
        )
        t, f = self.thresholds_[g], self.flipped_[g]
        above = np.where(f, scores[:, None] < t, scores[:, None] > t)
        p0 = self.p0_[g]
        positive = p0 * above[:, 0] + (1 - p0) * above[:, 1]
        pi = self.p_ignore_[g]
        positive = pi * self.prediction_constant_ + (1 - pi) * positive
        return np.column_stack([1.0 - positive, positive])

    def predict(
        self,
        X: Any,
        *,
        sensitive_features: Any,
        random_state: int | np.random.Generator | None = None,
    ) -> np.ndarray:
        """Draw a 0/1 prediction for every row from :meth:`_pmf_predict`.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, d)
            Features.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group of each row; every group must have been seen in fit.
        random_state : int, numpy.random.Generator or None, default None
            Seed or generator for the draws (one uniform number per row); the
            same int gives the same predictions.

        Returns
        -------
        ndarray of shape (n,), dtype int64
            Predictions, 1 with the row's probability.

        Raises
        ------
        ValueError
            As :meth:`_pmf_predict`.
        TypeError
            If ``random_state`` is not an int, a Generator or None.
        sklearn.exceptions.NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "thresholds_")
        if not (
            random_state is None
            or isinstance(random_state, np.random.Generator)
            or (
                isinstance(random_state, (int, np.integer))
                and not isinstance(random_state, bool)
            )
        ):
            raise TypeError(
                "random_state must be an int, a numpy.random.Generator or None; "
                f"got {type(random_state).__name__}"
            )
        p = self._pmf_predict(X, sensitive_features=sensitive_features)[:, 1]
        u = np.random.default_rng(random_state).random(len(p))
        return (u < p).astype(np.int64)
