"""Sparse and simple models: best-subset logistic regression and scorecards.

Dressel and Farid (2018) showed that a logistic regression on two features,
age and number of prior offences, predicts two-year recidivism on ProPublica's
COMPAS data about as accurately as COMPAS itself; Angelino et al. (2018) found
a three-rule list (age, priors, sex) that does the same. This module provides
the tools to reproduce such comparisons:

- :func:`best_subset_logistic` searches every subset of at most ``k`` features
  exhaustively, scores each by cross-validation and refits the best one;
- :class:`SparseLinearClassifier` wraps that search as a scikit-learn
  estimator;
- :func:`integer_score` rounds a linear model's coefficients into a points-based
  scorecard (:class:`Scorecard`), like the risk scores used by courts and
  hospitals;
- :func:`compare_accuracy` puts confidence intervals on the accuracies of two
  classifiers evaluated on the same rows, and on their difference.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from course_lib._checks import (
    as_binary_1d,
    as_float_2d,
    check_choice,
    check_int,
    check_positive,
    check_probability,
    check_real,
)
from course_lib._intervals import IntervalEstimate, wilson_interval

__all__ = [
    "AccuracyComparison",
    "BestSubsetResult",
    "Scorecard",
    "SparseLinearClassifier",
    "best_subset_logistic",
    "compare_accuracy",
    "integer_score",
]

_SCORINGS = ("accuracy", "log_loss")


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _check_Xy(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Numeric features (a 1-D ``X`` is one column) and class labels, one per row."""
    X = as_float_2d(X, "X")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"y must be a 1-d array with one entry per row of X ({len(X)}); "
            f"got shape {y.shape}"
        )
    check_classification_targets(y)
    return X, y


# --------------------------------------------------------------------------
# Best-subset search
# --------------------------------------------------------------------------


class BestSubsetResult(NamedTuple):
    """Outcome of :func:`best_subset_logistic` (a named tuple).

    Attributes
    ----------
    subset : tuple of int
        Column indices of the chosen features, in increasing order.
    names : tuple of str
        Their names.
    score : float
        Their cross-validated score (mean accuracy, or mean log-loss).
    model : LogisticRegression
        Logistic regression refitted on all rows, on the chosen columns only,
        with coefficients in the original units of the features.
    scores : pandas.DataFrame
        One row per subset tried, best first: ``subset`` (tuple of indices),
        ``names`` (tuple of names), ``size`` and ``score``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> res = best_subset_logistic(X, (X[:, 2] > 0).astype(int), k=1)
    >>> res.subset
    (2,)
    """

    subset: tuple[int, ...]
    names: tuple[str, ...]
    score: float
    model: LogisticRegression
    scores: pd.DataFrame


def _fit_logistic(X: np.ndarray, y: np.ndarray, C: float) -> LogisticRegression:
    """Logistic regression on standardised columns, mapped back to raw units.

    Standardising makes lbfgs converge quickly and makes ``C`` penalise every
    feature alike; the returned model's ``coef_`` and ``intercept_`` are those
    of the same function written in the original units.
    """
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=1000)
    model.fit((X - mean) / scale, y)
    model.coef_ = model.coef_ / scale
    model.intercept_ = model.intercept_ - model.coef_ @ mean
    return model


def _n_splits(y: np.ndarray, cv: int) -> int:
    """Folds actually used: at most ``cv`` and the size of the smallest class."""
    _, counts = np.unique(y, return_counts=True)
    return min(cv, int(counts.min()))


def _subset_scores(
    X: np.ndarray,
    y: np.ndarray,
    subsets: list[tuple[int, ...]],
    *,
    cv: int,
    scoring: str,
    C: float,
) -> np.ndarray:
    """Mean cross-validated score of each subset (higher is better)."""
    classes = np.unique(y)
    n_splits = _n_splits(y, cv)
    if len(classes) < 2:
        return np.zeros(len(subsets))
    if n_splits < 2:
        folds = [(np.arange(len(y)), np.arange(len(y)))]
    else:
        folds = list(StratifiedKFold(n_splits=n_splits).split(X, y))
    scores = np.zeros((len(subsets), len(folds)))
    for i, subset in enumerate(subsets):
        columns = list(subset)
        for f, (train, test) in enumerate(folds):
            if len(np.unique(y[train])) < 2:
                scores[i, f] = 0.0 if scoring == "accuracy" else -np.inf
                continue
            model = _fit_logistic(X[np.ix_(train, columns)], y[train], C)
            Xt = X[np.ix_(test, columns)]
            if scoring == "accuracy":
                scores[i, f] = accuracy_score(y[test], model.predict(Xt))
            else:
                scores[i, f] = -log_loss(
                    y[test], model.predict_proba(Xt), labels=model.classes_
                )
    return scores.mean(axis=1)


def best_subset_logistic(
    X: ArrayLike,
    y: ArrayLike,
    *,
    k: int,
    cv: int = 5,
    scoring: Literal["accuracy", "log_loss"] = "accuracy",
    C: float = 1.0,
    feature_names: list[str] | None = None,
) -> BestSubsetResult:
    """Exhaustive search for the best logistic regression on at most ``k`` features.

    Every subset of 1 to ``k`` columns is scored by ``cv``-fold stratified
    cross-validation (folds in row order, no shuffling, so the search is
    deterministic) of a logistic regression on those columns; the best subset
    is refitted on all rows. Ties are broken in favour of the smaller subset,
    then the one listed first by :func:`itertools.combinations`. The search fits
    ``cv * sum(C(p, j), j <= k)`` models: keep ``p`` and ``k`` small.

    Each logistic regression is fitted on standardised columns (so ``C``
    penalises every feature alike and the solver converges), then its
    coefficients are converted back to the features' original units.

    Parameters
    ----------
    X : array-like of shape (n, p) or DataFrame
        Numeric features. Column names of a DataFrame are used as names.
    y : array-like of shape (n,)
        Class labels.
    k : int
        Largest subset size, ``1 <= k <= p``.
    cv : int, default 5
        Number of folds; reduced to the size of the smallest class if that is
        smaller. With fewer than 2 folds possible the training score is used.
    scoring : {"accuracy", "log_loss"}, default "accuracy"
        Mean held-out accuracy (maximised) or mean held-out log-loss
        (minimised; reported as a positive number).
    C : float, default 1.0
        Inverse regularisation strength of :class:`LogisticRegression`.
    feature_names : list of str, optional
        Names of the columns; default the DataFrame's columns or ``x0, x1, ...``.

    Returns
    -------
    BestSubsetResult
        The best subset, its names, score and refitted model, and the table of
        every subset's score.

    Raises
    ------
    TypeError
        If ``X`` is not numeric, ``k`` or ``cv`` is not an integer, ``C`` is
        not a real number or ``scoring`` is not a string.
    ValueError
        If ``k``, ``cv``, ``C`` or ``scoring`` is invalid, ``X`` is not a finite
        non-empty array, ``y`` does not match it, or ``feature_names`` has the
        wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = (X[:, 1] - X[:, 3] + 0.3 * rng.normal(size=300) > 0).astype(int)
    >>> res = best_subset_logistic(X, y, k=2, feature_names=["a", "b", "c", "d"])
    >>> res.names
    ('b', 'd')
    >>> res.score > 0.85
    True
    >>> len(res.scores)  # 4 singletons + 6 pairs
    10
    """
    if feature_names is None and isinstance(X, pd.DataFrame):
        feature_names = [str(c) for c in X.columns]
    X, y = _check_Xy(X, y)
    p = X.shape[1]
    if feature_names is None:
        feature_names = [f"x{j}" for j in range(p)]
    if len(feature_names) != p:
        raise ValueError(
            f"feature_names must have one name per column of X ({p}); "
            f"got {len(feature_names)}"
        )
    k = check_int(k, "k", low=1)
    if k > p:
        raise ValueError(f"k must be at most the number of features ({p}); got {k}")
    cv = check_int(cv, "cv", low=1)
    scoring = check_choice(scoring, "scoring", _SCORINGS)
    C = check_positive(C, "C")
    subsets = [
        s for size in range(1, k + 1) for s in itertools.combinations(range(p), size)
    ]
    scores = _subset_scores(X, y, subsets, cv=cv, scoring=scoring, C=C)
    # Stable sort: ties keep enumeration order (smaller subsets first).
    order = np.argsort(-scores, kind="stable")
    best = subsets[order[0]]
    sign = 1.0 if scoring == "accuracy" else -1.0
    table = pd.DataFrame(
        {
            "subset": [subsets[i] for i in order],
            "names": [tuple(feature_names[j] for j in subsets[i]) for i in order],
            "size": [len(subsets[i]) for i in order],
            "score": sign * scores[order],
        }
    )
    model = _fit_logistic(X[:, list(best)], y, C)
    return BestSubsetResult(
        subset=best,
        names=tuple(feature_names[j] for j in best),
        score=float(sign * scores[order[0]]),
        model=model,
        scores=table,
    )


class SparseLinearClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on the best subset of at most ``max_features`` features.

    A scikit-learn estimator around :func:`best_subset_logistic`: ``fit`` tries
    every subset of 1 to ``max_features`` columns, keeps the one with the best
    cross-validated score and refits it on all rows. The result is a linear
    model with at most ``max_features`` non-zero coefficients.

    Parameters
    ----------
    max_features : int, default 2
        Largest number of features used (capped at the number of columns).
    cv : int, default 5
        Folds of the stratified cross-validation (no shuffling).
    scoring : {"accuracy", "log_loss"}, default "accuracy"
        Criterion of the search.
    C : float, default 1.0
        Inverse regularisation strength (on standardised features).

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    support_ : ndarray of bool, shape (n_features_in_,)
        True for the chosen features.
    subset_ : tuple of int
        Indices of the chosen features.
    coef_ : ndarray of shape (1, n_features_in_) or (n_classes, n_features_in_)
        Coefficients in the features' original units; zero off the support.
    intercept_ : ndarray
        Intercepts.
    cv_score_ : float
        Cross-validated score of the chosen subset.
    subset_scores_ : pandas.DataFrame
        Every subset tried, best first (see :class:`BestSubsetResult`).
    model_ : LogisticRegression
        The refitted model on the chosen columns only.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(300, 5))
    >>> y = (2 * X[:, 0] + X[:, 4] > 0).astype(int)
    >>> clf = SparseLinearClassifier(max_features=2).fit(X, y)
    >>> clf.subset_
    (0, 4)
    >>> clf.support_.tolist()
    [True, False, False, False, True]
    >>> float(clf.score(X, y)) > 0.95
    True
    """

    def __init__(
        self,
        max_features: int = 2,
        *,
        cv: int = 5,
        scoring: Literal["accuracy", "log_loss"] = "accuracy",
        C: float = 1.0,
    ) -> None:
        self.max_features = max_features
        self.cv = cv
        self.scoring = scoring
        self.C = C

    def fit(self, X: ArrayLike, y: ArrayLike) -> SparseLinearClassifier:
        """Search the subsets and fit the best one.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Numeric features.
        y : array-like of shape (n,)
            Class labels (at least two classes).

        Returns
        -------
        SparseLinearClassifier
            The fitted estimator.

        Raises
        ------
        TypeError
            If a parameter has the wrong type.
        ValueError
            If a parameter is invalid, the data are not finite, or ``y`` has
            a single class.
        """
        max_features = check_int(self.max_features, "max_features", low=1)
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"y must contain at least 2 classes; got 1 class: {self.classes_[0]!r}"
            )
        names = (
            [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else None
        )
        result = best_subset_logistic(
            X,
            y,
            k=min(max_features, X.shape[1]),
            cv=self.cv,
            scoring=self.scoring,
            C=self.C,
            feature_names=names,
        )
        self.subset_ = result.subset
        self.support_ = np.zeros(X.shape[1], dtype=bool)
        self.support_[list(result.subset)] = True
        coef = np.zeros((result.model.coef_.shape[0], X.shape[1]))
        coef[:, list(result.subset)] = result.model.coef_
        self.coef_ = coef
        self.intercept_ = result.model.intercept_.copy()
        self.cv_score_ = result.score
        self.subset_scores_ = result.scores
        self.model_ = result.model
        return self

    def _reduced(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X[:, list(self.subset_)]

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Linear scores ``X @ coef_.T + intercept_`` (raveled for two classes).

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_)
            Features.

        Returns
        -------
        ndarray of shape (n,) or (n, n_classes)
            Scores; positive means ``classes_[1]`` for two classes.
        """
        X = self._reduced(X)
        return self.model_.decision_function(X)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities of the logistic model.

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_)
            Features.

        Returns
        -------
        ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        X = self._reduced(X)
        return self.model_.predict_proba(X)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_)
            Features.

        Returns
        -------
        ndarray of shape (n,)
            Predicted labels.
        """
        X = self._reduced(X)
        return self.model_.predict(X)


# --------------------------------------------------------------------------
# Integer scorecards
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scorecard:
    """A points-based risk score: add up points, compare with a threshold.

    The score of a row is ``sum_j points[j] * x[j]``; the row is predicted
    positive (``1``) when the score is at least ``threshold``. With binary
    features this is the familiar "one point per risk factor" card; with
    counts (e.g. prior offences) the points are per unit.

    Attributes
    ----------
    points : ndarray of int
        Points per unit of each feature.
    threshold : int
        Smallest total predicted positive.
    feature_names : tuple of str
        Feature names, for :meth:`describe`.
    scale : float
        Factor applied to the linear coefficients before rounding.

    Examples
    --------
    >>> card = Scorecard(np.array([2, -1]), 1, ("priors", "age_decades"), 1.0)
    >>> card.predict(np.array([[1, 1], [3, 4], [0, 0]])).tolist()
    [1, 1, 0]
    >>> print(card.describe())
    priors       +2 points per unit
    age_decades  -1 points per unit
    predict 1 if total >= 1
    """

    points: np.ndarray
    threshold: int
    feature_names: tuple[str, ...]
    scale: float

    def total(self, X: ArrayLike) -> np.ndarray:
        """Total points of each row.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features, in the order of ``points``.

        Returns
        -------
        ndarray of shape (n,)
            ``X @ points``.

        Raises
        ------
        ValueError
            If ``X`` does not have one column per feature.
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.points):
            raise ValueError(
                f"X must be a 2-d array with {len(self.points)} columns; "
                f"got shape {X.shape}"
            )
        return X @ self.points

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict ``1`` where the total reaches the threshold, else ``0``.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features.

        Returns
        -------
        ndarray of int, shape (n,)
            Predictions.
        """
        return (self.total(X) >= self.threshold).astype(int)

    def accuracy(self, X: ArrayLike, y: ArrayLike) -> float:
        """Fraction of rows where :meth:`predict` equals ``y`` (0/1 labels).

        Parameters
        ----------
        X : array-like of shape (n, p)
            Features.
        y : array-like of shape (n,)
            0/1 labels.

        Returns
        -------
        float
            Accuracy.
        """
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def describe(self) -> str:
        """The card as text: one line per feature, then the decision rule.

        Returns
        -------
        str
            Human-readable scorecard.
        """
        width = max(len(name) for name in self.feature_names)
        lines = [
            f"{name:<{width}}  {int(pts):+d} points per unit"
            for name, pts in zip(self.feature_names, self.points, strict=True)
        ]
        lines.append(f"predict 1 if total >= {self.threshold}")
        return "\n".join(lines)


def _threshold_by_accuracy(total: np.ndarray, y: np.ndarray) -> int:
    """Integer threshold ``t`` maximising accuracy of ``total >= t``.

    Candidates are the distinct totals and one above the largest; ties go to
    the smallest threshold.
    """
    candidates = np.unique(total)
    candidates = np.append(candidates, candidates[-1] + 1)
    order = np.argsort(total)
    sorted_total, sorted_y = total[order], y[order]
    # Rows with total < t are predicted 0: count positives and negatives below.
    below = np.searchsorted(sorted_total, candidates, side="left")
    pos_below = np.concatenate([[0], np.cumsum(sorted_y)])[below]
    correct = (below - pos_below) + (sorted_y.sum() - pos_below)
    return int(candidates[int(np.argmax(correct))])


def integer_score(
    coef: ArrayLike | Any,
    intercept: float | None = None,
    *,
    max_points: int = 5,
    feature_names: list[str] | None = None,
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
) -> Scorecard:
    """Round a linear classifier into an integer scorecard.

    The coefficients are multiplied by ``scale = max_points / max|coef|`` and
    rounded, so the largest weight gets ``max_points`` points. The threshold
    is ``ceil(-intercept * scale)`` (the rounded model's version of
    ``coef @ x + intercept >= 0``), or, when ``X`` and ``y`` are given, the
    integer threshold with the best accuracy on them (ties: the smallest).

    Parameters
    ----------
    coef : array-like of shape (p,) or fitted binary linear classifier
        Coefficients, or an estimator with ``coef_`` of shape ``(1, p)`` and
        ``intercept_`` (then ``intercept`` must be None).
    intercept : float, optional
        Intercept of the linear model; required with an array ``coef``.
    max_points : int, default 5
        Points given to the largest coefficient (in absolute value).
    feature_names : list of str, optional
        Names for :meth:`Scorecard.describe`; default ``x0, x1, ...``.
    X : array-like of shape (n, p), optional
        Rows on which to choose the threshold (with ``y``).
    y : array-like of shape (n,), optional
        0/1 labels of those rows.

    Returns
    -------
    Scorecard
        The points, threshold and scale.

    Raises
    ------
    ValueError
        If the coefficients are not a finite non-zero vector, ``max_points``
        is not a positive integer, the names or data do not match, ``y`` is
        not 0/1, or only one of ``X`` and ``y`` is given.
    TypeError
        If a model is given together with an intercept, the intercept is not
        a real number or ``max_points`` is not an integer.

    Examples
    --------
    >>> card = integer_score([0.17, -0.047], 0.85, max_points=4,
    ...                      feature_names=["priors", "age"])
    >>> card.points.tolist(), card.threshold
    ([4, -1], -20)
    >>> card.predict([[0, 19], [0, 40]]).tolist()
    [1, 0]
    """
    if hasattr(coef, "coef_"):
        if intercept is not None:
            raise TypeError(
                "intercept must be None when a fitted model is given; "
                f"got {intercept!r}"
            )
        w = np.asarray(coef.coef_, dtype=float)
        if w.ndim != 2 or w.shape[0] != 1:
            raise ValueError(
                f"model.coef_ must have shape (1, p) (a binary model); got {w.shape}"
            )
        w = w[0]
        b = float(np.ravel(coef.intercept_)[0])
    else:
        w = np.asarray(coef, dtype=float)
        if intercept is None:
            raise ValueError(
                "intercept must be a number when coef is an array; got None"
            )
        b = intercept
    if w.ndim != 1 or len(w) == 0 or not np.isfinite(w).all() or not np.any(w):
        raise ValueError(
            f"coef must be a finite, non-zero 1-d array; got {np.asarray(w).tolist()!r}"
        )
    b = check_real(b, "intercept")
    max_points = check_int(max_points, "max_points", low=1)
    names = (
        feature_names if feature_names is not None else [f"x{j}" for j in range(len(w))]
    )
    if len(names) != len(w):
        raise ValueError(
            f"feature_names must have one name per coefficient ({len(w)}); "
            f"got {len(names)}"
        )
    scale = max_points / float(np.max(np.abs(w)))
    points = np.rint(w * scale).astype(int)
    threshold = math.ceil(-b * scale - 1e-9)
    card = Scorecard(points, int(threshold), tuple(str(n) for n in names), scale)
    if (X is None) != (y is None):
        raise ValueError("X and y must be given together; got only one of them")
    if X is not None:
        total = card.total(X)
        y = as_binary_1d(y, "y", n=len(total))
        card = Scorecard(
            points,
            _threshold_by_accuracy(total, y.astype(int)),
            card.feature_names,
            scale,
        )
    return card


# --------------------------------------------------------------------------
# Comparing accuracies
# --------------------------------------------------------------------------


class AccuracyComparison(NamedTuple):
    """Accuracies of two classifiers on the same rows (a named tuple).

    Attributes
    ----------
    accuracy_a, accuracy_b : IntervalEstimate
        Each accuracy with its Wilson score interval.
    difference : IntervalEstimate
        ``accuracy_a - accuracy_b`` with a paired (Wald) interval.
    n : int
        Number of rows.

    Examples
    --------
    >>> cmp = compare_accuracy([1, 0, 1, 1], [1, 0, 0, 1], [1, 1, 1, 1])
    >>> cmp.accuracy_a.estimate, cmp.accuracy_b.estimate
    (0.75, 0.75)
    """

    accuracy_a: IntervalEstimate
    accuracy_b: IntervalEstimate
    difference: IntervalEstimate
    n: int


def compare_accuracy(
    y_true: ArrayLike,
    y_pred_a: ArrayLike,
    y_pred_b: ArrayLike,
    *,
    confidence: float = 0.95,
) -> AccuracyComparison:
    """Accuracies of two classifiers on the same rows, with confidence intervals.

    Each accuracy gets a Wilson score interval. The difference uses the paired
    per-row differences ``d_i = [a_i correct] - [b_i correct]``: the interval
    is ``mean(d) +/- z * sd(d) / sqrt(n)`` (with the ``1/n`` variance, i.e.
    the Wald interval for a paired difference of proportions, which only the
    rows where the classifiers disagree widen).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels.
    y_pred_a, y_pred_b : array-like of shape (n,)
        The two classifiers' predictions on the same rows.
    confidence : float, default 0.95
        Nominal coverage, in (0, 1).

    Returns
    -------
    AccuracyComparison
        Both accuracies and their difference, each with an interval.

    Raises
    ------
    TypeError
        If ``confidence`` is not a real number.
    ValueError
        If the arrays are not 1-d of the same non-zero length, or
        ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1, 0] * 50)
    >>> a = y.copy(); a[:20] = 1 - a[:20]
    >>> b = y.copy(); b[:30] = 1 - b[:30]
    >>> cmp = compare_accuracy(y, a, b)
    >>> cmp.accuracy_a.estimate, cmp.accuracy_b.estimate, cmp.n
    (0.8, 0.7, 100)
    >>> round(cmp.difference.estimate, 2), round(cmp.difference.lower, 3)
    (0.1, 0.041)
    """
    y_true, a, b = (np.asarray(v) for v in (y_true, y_pred_a, y_pred_b))
    if (
        y_true.ndim != 1
        or len(y_true) == 0
        or a.shape != y_true.shape
        or b.shape != y_true.shape
    ):
        raise ValueError(
            "y_true, y_pred_a and y_pred_b must be 1-d arrays of the same non-zero "
            f"length; got shapes {y_true.shape}, {a.shape}, {b.shape}"
        )
    confidence = check_probability(confidence, "confidence", open_interval=True)
    n = len(y_true)
    correct_a = a == y_true
    correct_b = b == y_true
    estimates = []
    for correct in (correct_a, correct_b):
        k = int(correct.sum())
        lo, hi = wilson_interval(k, n, confidence)
        estimates.append(IntervalEstimate(k / n, float(lo), float(hi)))
    d = correct_a.astype(float) - correct_b.astype(float)
    z = float(norm.ppf((1 + confidence) / 2))
    half = z * float(d.std()) / math.sqrt(n)
    mean = float(d.mean())
    return AccuracyComparison(
        estimates[0], estimates[1], IntervalEstimate(mean, mean - half, mean + half), n
    )
