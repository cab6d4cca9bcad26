"""Rich subgroup fairness: auditing and learning (Kearns, Neel, Roth, Wu 2018).

"Preventing Fairness Gerrymandering: Auditing and Learning for Subgroup
Fairness" (ICML 2018) asks for fairness not only on a few marginal groups
("women", "Black people") but on every subgroup in a rich class ``G``; here,
as in the paper's experiments, ``G`` is the class of linear threshold
functions ``g(x) = 1[w . x + b > 0]`` of the protected attributes ``x``.
Written from the paper (not from the public GerryFair code).

Definitions (``fairness="FP"``; the other notions change the rows and rate):

* ``alpha(g) = P(g(x) = 1, y = 0)``, the mass of the subgroup's negatives;
* ``FP_g = P(h(x) = 1 | g(x) = 1, y = 0)`` and ``FP = P(h(x) = 1 | y = 0)``;
* the *gamma-unfairness* (violation) of ``g`` is ``alpha(g) * |FP_g - FP|``.

``fairness="FN"`` uses the positives (``y = 1``) and the false negative rate;
``fairness="SP"`` (statistical parity) uses every row and the selection rate.
Probabilities are weighted by ``sample_weight`` when given. A randomised
classifier enters through ``P(h(x) = 1)``; all quantities are then
expectations over its coins.

**Auditing** is the paper's cost-sensitive classification (CSC) problem: the
signed violation ``alpha(g) (FP_g - FP) = sum_{i: y_i=0} w_i g(x_i) (p_i - FP)``
is linear in the group's labels, so the most violated group takes every row
whose cost ``-(p_i - FP)`` (or its opposite, for the other direction) is
negative. The paper's practical oracle, used here, predicts those costs with
a least-squares linear regression on the protected attributes and takes the
group where the predicted cost is negative; both directions come from one
regression (their costs are opposite), and the direction with the larger
exact violation wins (over the rows that count, a group and its complement
have the same violation, so ties go to direction +1, the group whose rate is
above the overall rate). Only the rows whose two costs differ (the negatives for
"FP") enter the regression: the others cannot change the violation.

Because the oracle is linear, it sees only groups that are linear in the
columns it is given. Two binary attributes ``a, b`` that are fair on each
marginal can only hide an unfairness of the "XOR" shape ``a == b`` (the
excesses of the four cells must cancel along each marginal), which no
threshold of ``(a, b)`` expresses: add the interaction ``a * b`` as a column
(or pass one-hot cells) and the regression is exact on the cells.

**Learning** (:class:`GerryFairClassifier`) is the paper's fictitious play
between a Learner, who best-responds to the auditor's average play by
cost-sensitive classification (again a weighted linear regression of the cost
differences, thresholded at 0), and an Auditor, who best-responds to the
uniform mixture of the Learner's past classifiers by putting weight ``C`` on
the most violated subgroup if its violation exceeds ``gamma`` (and 0
otherwise). The output is that uniform mixture: a randomised classifier.
Every step is a matrix product; the two regressions' pseudo-inverses are
computed once per fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin

from course_lib._checks import (
    as_binary_1d,
    as_float_1d,
    as_float_2d,
    check_choice,
    check_int,
    check_real,
    check_sample_weight,
)

__all__ = ["GerryFairClassifier", "LinearThreshold", "SubgroupAuditor"]

Fairness = Literal["FP", "FN", "SP"]
_FAIRNESS = ("FP", "FN", "SP")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _check_fairness(fairness: Any) -> str:
    return check_choice(fairness, "fairness", _FAIRNESS)


def _as_proba(y: Any, name: str, n: int) -> np.ndarray:
    """``y`` as 1-D floats in [0, 1]: hard 0/1 predictions or P(h(x) = 1)."""
    arr = as_float_1d(y, name)
    if len(arr) != n:
        raise ValueError(
            f"{name} must have the same length as y_true ({n}); got {len(arr)}"
        )
    if not np.all((arr >= 0) & (arr <= 1)):
        raise ValueError(
            f"{name} must hold 0/1 predictions or probabilities in [0, 1]; got "
            f"values outside [0, 1]"
        )
    return arr


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    w = check_sample_weight(sample_weight, n)
    w = np.ones(n) if w is None else w
    return w / w.sum()


# --------------------------------------------------------------------------
# Linear threshold functions and the regression oracle
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearThreshold:
    """The linear threshold function ``x -> 1[x . coef + intercept > 0]``.

    Used both for the subgroups the auditor finds and for the learner's
    classifiers.

    Parameters
    ----------
    coef : ndarray of shape (n_features,)
        Weights ``w``.
    intercept : float
        Offset ``b``.

    Examples
    --------
    >>> import numpy as np
    >>> g = LinearThreshold(np.array([1.0, 1.0]), -1.5)
    >>> g.predict(np.array([[0, 0], [1, 0], [1, 1]]))
    array([0, 0, 1])
    """

    coef: np.ndarray
    intercept: float

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Return ``X @ coef + intercept``.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Numeric rows.

        Returns
        -------
        ndarray of shape (n,)
            The signed score; the function is 1 where it is positive.

        Raises
        ------
        ValueError
            If ``X`` has the wrong number of columns or non-finite values.
        """
        arr = as_float_2d(X, "X")
        if arr.shape[1] != len(self.coef):
            raise ValueError(
                f"X must have {len(self.coef)} columns; got {arr.shape[1]}"
            )
        return arr @ self.coef + self.intercept

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Return ``1[X @ coef + intercept > 0]`` as 0/1 integers.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Numeric rows.

        Returns
        -------
        ndarray of shape (n,)
            0/1 membership (or label).

        Raises
        ------
        ValueError
            As :meth:`decision_function`.
        """
        return (self.decision_function(X) > 0).astype(np.int64)


class _Regression:
    """Weighted least squares ``target ~ X`` with an intercept, refitted cheaply.

    The pseudo-inverse of the weighted design is computed once; each fit is
    then one matrix-vector product. Rank-deficient designs (one-hot columns
    with the intercept) get the minimum-norm solution.
    """

    def __init__(self, X: np.ndarray, w: np.ndarray) -> None:
        self.design = np.column_stack([X, np.ones(len(X))])
        self.sqrt_w = np.sqrt(w)
        self.pinv = np.linalg.pinv(self.design * self.sqrt_w[:, None])

    def fit(self, target: np.ndarray) -> np.ndarray:
        """Coefficients (intercept last) of the regression of ``target``."""
        return self.pinv @ (self.sqrt_w * target)


# --------------------------------------------------------------------------
# Violations (exact, vectorised)
# --------------------------------------------------------------------------


def _rows_and_rate(fairness: str, y: np.ndarray, p: np.ndarray):
    """Rows that a violation depends on, and the rate each row contributes."""
    if fairness == "FP":
        return ~y, p
    if fairness == "FN":
        return y, 1.0 - p
    return np.ones(len(y), dtype=bool), p


def _signed_violations(
    masks: np.ndarray, rows: np.ndarray, rate: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """``alpha(g) * (rate_g - rate)`` for each mask (rows of ``masks``).

    ``w`` sums to 1 over all rows, so ``alpha`` is a share of the whole data.
    """
    wr = np.where(rows, w, 0.0)
    overall = (wr @ rate) / wr.sum()
    return masks.astype(np.float64) @ (wr * (rate - overall))


def _audit(
    fairness: str,
    reg: _Regression,
    Xp: np.ndarray,
    rows: np.ndarray,
    rate: np.ndarray,
    w: np.ndarray,
) -> tuple[np.ndarray, float, int, LinearThreshold]:
    """The regression oracle: most violated linear subgroup of either sign."""
    wr = w[rows]
    overall = (wr @ rate[rows]) / wr.sum()
    # Cost of putting a row in the group, direction +1: -(rate - overall).
    # Its regression is minus that of (rate - overall); direction -1 is the
    # opposite cost, so one regression serves both.
    beta = reg.fit(rate[rows] - overall)
    score = Xp @ beta[:-1] + beta[-1]  # predicted excess rate
    masks = np.stack([score > 0, score < 0])
    signed = _signed_violations(masks, rows, rate, w)
    # A group and its complement (within the rows) have the same violation, so
    # the two directions nearly always tie: prefer +1 (rate above overall)
    # unless -1 is clearly larger.
    k = 1 if -signed[1] > signed[0] + 1e-12 * max(1.0, abs(signed[0])) else 0
    direction = 1 if k == 0 else -1
    group = LinearThreshold(direction * beta[:-1], float(direction * beta[-1]))
    return masks[k], float(abs(signed[k])), direction, group


# --------------------------------------------------------------------------
# Auditor
# --------------------------------------------------------------------------


class SubgroupAuditor:
    """Find the (approximately) most unfair linear subgroup of a classifier.

    Parameters
    ----------
    fairness : {"FP", "FN", "SP"}, default "FP"
        Rate compared between a subgroup and the whole population: false
        positive rate (over ``y = 0``), false negative rate (over ``y = 1``)
        or selection rate (statistical parity, over every row).

    Attributes
    ----------
    group_ : LinearThreshold
        The subgroup found by the last call to :meth:`audit`, as a function of
        the protected attributes (it is 1 on the returned mask).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.repeat([0, 0, 1, 1], 50)
    >>> b = np.tile(np.repeat([0, 1], 25), 4)
    >>> X_prot = np.column_stack([a, b, a * b])
    >>> y_true = np.zeros(200, dtype=int)
    >>> y_pred = (np.arange(200) % 5 < np.where(a == b, 2, 1)).astype(int)
    >>> mask, violation, direction = SubgroupAuditor().audit(X_prot, y_true, y_pred)
    >>> bool(np.all(mask == (a == b))), round(violation, 4), direction
    (True, 0.05, 1)
    """

    def __init__(self, fairness: Fairness = "FP") -> None:
        self.fairness = fairness

    def _prepare(self, X_prot, y_true, y_pred, sample_weight):
        fairness = _check_fairness(self.fairness)
        y = as_binary_1d(y_true, "y_true")
        p = _as_proba(y_pred, "y_pred", len(y))
        Xp = as_float_2d(X_prot, "X_prot", n_rows=len(y))
        w = _weights(sample_weight, len(y))
        rows, rate = _rows_and_rate(fairness, y, p)
        if not np.any(rows & (w > 0)):
            which = {"FP": "negative (y = 0)", "FN": "positive (y = 1)"}[fairness]
            raise ValueError(
                f"y_true must contain a {which} row with positive weight for "
                f"fairness={fairness!r}; got none"
            )
        return fairness, Xp, rows, rate, w

    def audit(
        self,
        X_prot: ArrayLike,
        y_true: ArrayLike,
        y_pred: ArrayLike,
        *,
        sample_weight: ArrayLike | None = None,
    ) -> tuple[np.ndarray, float, int]:
        """Find the most violated linear subgroup with the regression oracle.

        Parameters
        ----------
        X_prot : array-like of shape (n, k)
            Numeric protected attributes (one-hot encode categories; add
            interaction columns to reach intersections, see the module notes).
        y_true : array-like of shape (n,)
            True labels in {0, 1}.
        y_pred : array-like of shape (n,)
            Predictions in {0, 1}, or probabilities ``P(h(x) = 1)`` of a
            randomised classifier.
        sample_weight : array-like of shape (n,), optional
            Non-negative weights, not all zero.

        Returns
        -------
        group_mask : ndarray of bool, shape (n,)
            Membership of each row in the subgroup found.
        violation : float
            Its gamma-unfairness ``alpha(g) * |rate_g - rate|``.
        direction : int
            +1 if the subgroup's rate is above the overall rate, -1 if below.

        Raises
        ------
        ValueError
            On an unknown ``fairness``, labels other than 0/1, predictions
            outside [0, 1], mismatched lengths, non-finite ``X_prot``, invalid
            weights, or no row of the kind the notion needs (e.g. no negative
            for "FP").
        TypeError
            If ``X_prot`` or ``y_pred`` is not numeric.
        """
        _, Xp, rows, rate, w = self._prepare(X_prot, y_true, y_pred, sample_weight)
        reg = _Regression(Xp[rows], w[rows])
        mask, violation, direction, group = _audit(
            self.fairness, reg, Xp, rows, rate, w
        )
        self.group_ = group
        return mask, violation, direction

    def violation(
        self,
        X_prot: ArrayLike,
        y_true: ArrayLike,
        y_pred: ArrayLike,
        group_mask: ArrayLike,
        *,
        sample_weight: ArrayLike | None = None,
    ) -> float:
        """Gamma-unfairness ``alpha(g) * |rate_g - rate|`` of a given subgroup.

        Parameters
        ----------
        X_prot : array-like of shape (n, k)
            Protected attributes (only checked for shape, kept for symmetry
            with :meth:`audit`).
        y_true : array-like of shape (n,)
            True labels in {0, 1}.
        y_pred : array-like of shape (n,)
            Predictions in {0, 1} or probabilities in [0, 1].
        group_mask : array-like of bool, shape (n,)
            Membership of each row in the subgroup.
        sample_weight : array-like of shape (n,), optional
            Non-negative weights, not all zero.

        Returns
        -------
        float
            The violation; 0 for an empty subgroup.

        Raises
        ------
        ValueError
            As :meth:`audit`, or if ``group_mask`` is not a boolean (0/1)
            array of length n.
        TypeError
            As :meth:`audit`.

        Examples
        --------
        >>> auditor = SubgroupAuditor()
        >>> auditor.violation([[0], [0], [1], [1]], [0, 0, 0, 0], [1, 0, 0, 0],
        ...                   [True, True, False, False])
        0.125
        """
        _, _, rows, rate, w = self._prepare(X_prot, y_true, y_pred, sample_weight)
        mask = as_binary_1d(group_mask, "group_mask")
        if len(mask) != len(rows):
            raise ValueError(
                f"group_mask must have the same length as y_true ({len(rows)}); "
                f"got {len(mask)}"
            )
        return float(abs(_signed_violations(mask[None, :], rows, rate, w)[0]))


# --------------------------------------------------------------------------
# Learner: fictitious play
# --------------------------------------------------------------------------


class GerryFairClassifier(ClassifierMixin, BaseEstimator):
    """Rich-subgroup-fair classifier by fictitious play (Kearns et al. 2018).

    Parameters
    ----------
    C : float, default 10
        Bound on the auditor's Lagrange multiplier: the weight the learner's
        costs put on the most violated subgroup.
    gamma : float, default 0.01
        Allowed gamma-unfairness ``alpha(g) * |rate_g - rate|``.
    max_iters : int, default 50
        Rounds of fictitious play (learner classifiers in the mixture).
    fairness : {"FP", "FN", "SP"}, default "FP"
        Fairness notion, as in :class:`SubgroupAuditor`.
    random_state : int, Generator or None, default None
        Default seed for :meth:`predict` when it is given none (fitting is
        deterministic).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive one.
    classifiers_ : list of LinearThreshold
        The learner's best response in each round (the mixture's members).
    coef_ : ndarray of shape (n_iter, n_features)
        Their weights, stacked.
    intercept_ : ndarray of shape (n_iter,)
        Their offsets.
    errors_ : ndarray of shape (n_iter,)
        Expected (weighted) training error of the mixture after each round.
    violations_ : ndarray of shape (n_iter,)
        Largest subgroup violation of the mixture found by the auditor after
        each round.
    groups_ : list of LinearThreshold
        The subgroup the auditor found in each round.
    n_features_in_ : int
        Number of columns of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (X[:, 0] + 0.5 * rng.normal(size=400) > 0).astype(int)
    >>> clf = GerryFairClassifier(max_iters=5).fit(X, y, sensitive_features=X[:, 1])
    >>> len(clf.classifiers_), clf.predict_proba(X).shape
    (5, (400, 2))
    >>> bool(np.all(clf.predict(X, random_state=1) == clf.predict(X, random_state=1)))
    True
    """

    def __init__(
        self,
        C: float = 10,
        gamma: float = 0.01,
        max_iters: int = 50,
        fairness: Fairness = "FP",
        random_state: Any = None,
    ) -> None:
        self.C = C
        self.gamma = gamma
        self.max_iters = max_iters
        self.fairness = fairness
        self.random_state = random_state

    def _check_params(self) -> None:
        _check_fairness(self.fairness)
        check_real(self.C, "C", low=0.0)
        check_real(self.gamma, "gamma", low=0.0)
        check_int(self.max_iters, "max_iters", low=1)

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        sensitive_features: ArrayLike,
        sample_weight: ArrayLike | None = None,
    ) -> GerryFairClassifier:
        """Run fictitious play between the learner and the auditor.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Numeric features the learner's linear classifiers use (they may
            include the protected attributes or not).
        y : array-like of shape (n,)
            Binary labels (any two values; the larger is positive).
        sensitive_features : array-like of shape (n,) or (n, k)
            Numeric protected attributes over which subgroups are linear
            thresholds.
        sample_weight : array-like of shape (n,), optional
            Non-negative weights, not all zero.

        Returns
        -------
        GerryFairClassifier
            The fitted estimator.

        Raises
        ------
        ValueError
            On invalid parameters, labels that are not exactly two classes,
            mismatched lengths, non-finite features, invalid weights, or no
            row of the kind the fairness notion needs.
        TypeError
            If a parameter has the wrong type or features are not numeric.
        """
        self._check_params()
        y_arr = np.asarray(y)
        if y_arr.ndim != 1:
            raise ValueError(f"y must be 1-D; got shape {y_arr.shape}")
        classes, y_codes = np.unique(y_arr, return_inverse=True)
        if len(classes) != 2:
            raise ValueError(
                f"y must contain exactly two classes; got {len(classes)}: "
                f"{classes[:6].tolist()}"
            )
        Xm = as_float_2d(X, "X", n_rows=len(y_arr))
        Xp = as_float_2d(sensitive_features, "sensitive_features", n_rows=len(y_arr))
        yb = y_codes.astype(bool)
        w = _weights(sample_weight, len(yb))
        auditor = SubgroupAuditor(self.fairness)
        _, _, rows, _, _ = auditor._prepare(Xp, yb, yb.astype(float), sample_weight)

        learner = _Regression(Xm, w)
        audit_reg = _Regression(Xp[rows], w[rows])
        sign = -1.0 if self.fairness == "FN" else 1.0  # d rate / d P(h = 1)
        base_cost = 1.0 - 2.0 * yb  # cost(h = 1) - cost(h = 0), per unit weight
        wr = np.where(rows, w, 0.0)
        penalty_sum = np.zeros(len(yb))  # sum over rounds of C * s * dPhi/dp / w
        pred_sum = np.zeros(len(yb))
        coefs, intercepts, errors, violations, groups = [], [], [], [], []
        for t in range(1, self.max_iters + 1):
            # Learner: best response to the auditor's average play so far.
            cost = base_cost + penalty_sum / max(t - 1, 1)
            beta = learner.fit(cost)
            coefs.append(-beta[:-1])
            intercepts.append(-beta[-1])
            pred_sum += (learner.design @ beta) < 0
            p = pred_sum / t
            errors.append(float(w @ np.abs(p - yb)))
            # Auditor: best response to the learner's uniform mixture.
            rate = 1.0 - p if self.fairness == "FN" else p
            mask, violation, direction, group = _audit(
                self.fairness, audit_reg, Xp, rows, rate, w
            )
            violations.append(violation)
            groups.append(group)
            if violation > self.gamma:
                share = (wr @ mask) / wr.sum()  # P(g = 1 | row counts)
                penalty_sum += self.C * direction * sign * (mask - share) * rows
        self.classes_ = classes
        self.coef_ = np.array(coefs)
        self.intercept_ = np.array(intercepts)
        self.classifiers_ = [
            LinearThreshold(c, float(b)) for c, b in zip(coefs, intercepts, strict=True)
        ]
        self.groups_ = groups
        self.errors_ = np.array(errors)
        self.violations_ = np.array(violations)
        self.n_features_in_ = Xm.shape[1]
        return self

    def _proba1(self, X: ArrayLike) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError(
                "this GerryFairClassifier is not fitted yet; call fit(X, y, "
                "sensitive_features=...) first"
            )
        Xm = as_float_2d(X, "X")
        if Xm.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have {self.n_features_in_} columns, as in fit; got "
                f"{Xm.shape[1]}"
            )
        votes = (Xm @ self.coef_.T + self.intercept_) > 0
        return votes.mean(axis=1)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Expected prediction of the mixture: the share of its members voting 1.

        Parameters
        ----------
        X : array-like of shape (n, d)
            Numeric features, as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n, 2)
            ``P(h(x) = classes_[0])`` and ``P(h(x) = classes_[1])``.

        Raises
        ------
        ValueError
            If the estimator is not fitted, or ``X`` has the wrong number of
            columns or non-finite values.
        """
        p = self._proba1(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: ArrayLike, random_state: Any = None) -> np.ndarray:
        """Sample a label for each row from the mixture.

        Each row independently gets ``classes_[1]`` with probability
        ``predict_proba(X)[:, 1]`` (which is the same as drawing one member of
        the mixture per row).

        Parameters
        ----------
        X : array-like of shape (n, d)
            Numeric features, as in :meth:`fit`.
        random_state : int, Generator or None, optional
            Seed for the draws; None uses the estimator's ``random_state``.

        Returns
        -------
        ndarray of shape (n,)
            Labels from ``classes_``.

        Raises
        ------
        ValueError
            As :meth:`predict_proba`.
        """
        p = self._proba1(X)
        seed = self.random_state if random_state is None else random_state
        rng = np.random.default_rng(seed)
        return self.classes_[(rng.random(len(p)) < p).astype(np.intp)]
