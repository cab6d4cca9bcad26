"""Rule lists and readable decision trees.

A rule list is an ordered sequence of if-then rules ending with a default:
the first rule whose conditions all hold decides. :class:`RuleListClassifier`
learns one greedily by sequential covering over binarised features
(thresholds on numeric features, equality with a category), in the spirit of
CN2 and of the certifiably optimal rule lists of Angelino et al. (2018), whose
COMPAS list reads "if age 18-20 and male then yes; else if age 21-23 and 2-3
priors then yes; else if more than 3 priors then yes; else no".
:func:`tree_rules` turns a fitted scikit-learn decision tree into the same
kind of readable rules, one per leaf.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from course_lib._checks import check_int

__all__ = ["Condition", "Rule", "RuleListClassifier", "tree_rules"]

_OPS = ("<", ">=", "<=", ">", "==")


def _fmt(value: Any) -> str:
    """Short display of a threshold or category."""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class Condition:
    """One test on one feature, e.g. ``age < 23``.

    Attributes
    ----------
    feature : int
        Column index.
    op : {"<", ">=", "<=", ">", "=="}
        Comparison.
    value : float
        Threshold or (encoded) category the column is compared with.
    name : str
        Feature name, for display.
    label : str
        How ``value`` is displayed (the category's name for encoded
        categories); default ``value`` formatted briefly.

    Examples
    --------
    >>> c = Condition(0, "<", 23.0, "age")
    >>> str(c)
    'age < 23'
    >>> c.holds(np.array([[19.0], [40.0]])).tolist()
    [True, False]
    """

    feature: int
    op: str
    value: float
    name: str
    label: str = ""

    def holds(self, X: np.ndarray) -> np.ndarray:
        """Boolean mask of the rows of numeric array ``X`` meeting the condition.

        Parameters
        ----------
        X : ndarray of shape (n, p)
            Numeric data (encoded as by the estimator that made the condition).

        Returns
        -------
        ndarray of bool, shape (n,)
            True where the condition holds.
        """
        column = np.asarray(X, dtype=float)[:, self.feature]
        if self.op == "<":
            return column < self.value
        if self.op == ">=":
            return column >= self.value
        if self.op == "<=":
            return column <= self.value
        if self.op == ">":
            return column > self.value
        return column == self.value

    def __str__(self) -> str:
        return f"{self.name} {self.op} {self.label or _fmt(self.value)}"


@dataclass(frozen=True)
class Rule:
    """An if-then rule: a conjunction of conditions and what it predicts.

    Attributes
    ----------
    conditions : tuple of Condition
        All must hold; empty for a default ("else") rule.
    prediction : object
        Predicted class.
    proba : ndarray
        Class frequencies of the training rows the rule decided (columns in
        the order of the classifier's ``classes_``).
    support : int
        Number of those training rows.

    Examples
    --------
    >>> rule = Rule((Condition(0, ">=", 3.0, "priors"),), 1, np.array([0.3, 0.7]), 10)
    >>> str(rule)
    'IF priors >= 3 THEN 1 (p = 0.70, n = 10)'
    >>> rule.matches(np.array([[0.0], [5.0]])).tolist()
    [False, True]
    """

    conditions: tuple[Condition, ...]
    prediction: Any
    proba: np.ndarray
    support: int

    def matches(self, X: np.ndarray) -> np.ndarray:
        """Boolean mask of the rows where every condition holds.

        Parameters
        ----------
        X : ndarray of shape (n, p)
            Numeric data.

        Returns
        -------
        ndarray of bool, shape (n,)
            True where the rule applies (everywhere for a default rule).
        """
        mask = np.ones(len(X), dtype=bool)
        for condition in self.conditions:
            mask &= condition.holds(X)
        return mask

    def __str__(self) -> str:
        p = float(np.max(self.proba)) if len(self.proba) else float("nan")
        tail = f"THEN {self.prediction} (p = {p:.2f}, n = {self.support})"
        if not self.conditions:
            return f"ELSE {tail.removeprefix('THEN ')}"
        return "IF " + " AND ".join(str(c) for c in self.conditions) + " " + tail


# --------------------------------------------------------------------------
# Rule lists by sequential covering
# --------------------------------------------------------------------------


def _check_min_support(value: Any, n: int) -> int:
    """Minimum number of training rows a rule must decide."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            "min_support must be a fraction in (0, 1) or a positive integer; "
            f"got {type(value).__name__}"
        )
    if isinstance(value, Integral) and value >= 1:
        return int(value)
    if 0 < value < 1:
        return max(1, int(np.ceil(value * n)))
    raise ValueError(
        f"min_support must be a fraction in (0, 1) or a positive integer; got {value!r}"
    )


class RuleListClassifier(ClassifierMixin, BaseEstimator):
    """Ordered if-then-else rule list learned greedily by sequential covering.

    Features are first binarised into conditions: for a numeric column,
    ``x < t`` and ``x >= t`` for thresholds ``t`` taken from the column's
    values (all distinct values if there are at most ``n_thresholds + 1``,
    else ``n_thresholds`` quantiles, rounded down to data values); for a
    categorical column, ``x == c`` for each category ``c``. A candidate rule
    is a conjunction of up to ``max_conditions`` conditions (two conditions
    may be on the same feature, giving an interval).

    Rules are added one at a time. Among the training rows not yet covered,
    each candidate rule predicts the majority class of the rows it covers and
    the rest fall to the majority class of what remains; the rule chosen is
    the one maximising the number of uncovered rows classified correctly
    (accuracy on the uncovered rows), among rules covering at least
    ``min_support`` of them. Ties go to fewer conditions, then to conditions
    listed earlier. Learning stops after ``max_rules`` rules, when no rule
    beats predicting the majority class of the uncovered rows, or when no rule
    has enough support; the list ends with a default rule predicting the
    majority class of the rows left (of all rows if none is left).

    ``predict_proba`` returns, for each row, the class frequencies of the
    training rows decided by the rule that decides it (the first matching
    rule), so ``predict`` is its argmax.

    Parameters
    ----------
    max_rules : int, default 5
        Largest number of rules, not counting the default.
    max_conditions : {1, 2}, default 2
        Largest number of conditions per rule.
    min_support : float or int, default 0.02
        Smallest number of uncovered training rows a rule must cover: a
        fraction in (0, 1) of all training rows, or a count (int >= 1).
    n_thresholds : int, default 16
        Number of candidate thresholds per numeric feature.
    categorical_features : list of int or str, optional
        Columns to treat as categorical. Non-numeric, categorical and boolean
        columns of a DataFrame are always categorical.

    Attributes
    ----------
    rules_ : list of Rule
        The learned rules in order; the last is the default (no conditions).
    conditions_ : list of Condition
        Every candidate condition.
    classes_ : ndarray
        Class labels.
    categories_ : dict
        For each categorical column index, the categories seen in ``fit``
        (DataFrame columns are encoded as the category's position; unseen
        categories and missing values match no condition).
    n_features_in_ : int
        Number of features.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 70, 500),
    ...                   "priors": rng.integers(0, 10, 500)})
    >>> y = ((X["age"] < 25) | (X["priors"] >= 5)).astype(int)
    >>> clf = RuleListClassifier(max_rules=3, n_thresholds=64).fit(X, y)
    >>> print(clf.describe())
    IF age >= 25 AND priors < 5 THEN 0 (p = 1.00, n = 204)
    ELSE 1 (p = 1.00, n = 296)
    >>> clf.predict(pd.DataFrame({"age": [19, 40], "priors": [0, 1]})).tolist()
    [1, 0]
    >>> float(clf.score(X, y))
    1.0
    """

    def __init__(
        self,
        max_rules: int = 5,
        *,
        max_conditions: int = 2,
        min_support: float | int = 0.02,
        n_thresholds: int = 16,
        categorical_features: list[int] | list[str] | None = None,
    ) -> None:
        self.max_rules = max_rules
        self.max_conditions = max_conditions
        self.min_support = min_support
        self.n_thresholds = n_thresholds
        self.categorical_features = categorical_features

    # ---- input handling -------------------------------------------------

    def _encode(self, X: Any, *, reset: bool, y: Any = None) -> Any:
        """Encode categorical DataFrame columns as codes, then validate."""
        if isinstance(X, pd.DataFrame):
            frame = X.copy()
            encoded = {}
            if reset:
                self._frame_categories = {}
                for j, column in enumerate(frame.columns):
                    series = frame[column]
                    if not (
                        pd.api.types.is_numeric_dtype(series.dtype)
                        and not pd.api.types.is_bool_dtype(series.dtype)
                    ) or isinstance(series.dtype, pd.CategoricalDtype):
                        if isinstance(series.dtype, pd.CategoricalDtype):
                            cats = list(series.cat.categories)
                        else:
                            cats = sorted(series.dropna().unique().tolist())
                        self._frame_categories[j] = cats
            for j, cats in getattr(self, "_frame_categories", {}).items():
                if j >= frame.shape[1]:
                    continue
                column = frame.columns[j]
                # Position of each value among the categories; -1 if unseen
                # or missing.
                codes = pd.Index(cats, dtype=object).get_indexer(
                    frame[column].astype(object)
                )
                encoded[column] = codes.astype(float)
            for column, codes in encoded.items():
                frame[column] = codes
            X = frame
        elif reset:
            self._frame_categories = {}
        if y is not None or reset:
            return validate_data(self, X, y, reset=reset)
        return validate_data(self, X, reset=reset)

    def _categorical_columns(self) -> dict[int, list[Any]]:
        """Categorical column index -> categories (display labels)."""
        columns = dict(self._frame_categories)
        names = (
            [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else None
        )
        for item in self.categorical_features or []:
            if isinstance(item, str):
                if names is None or item not in names:
                    raise ValueError(
                        "categorical_features must name columns of X; "
                        f"got {item!r}, not among {names}"
                    )
                j = names.index(item)
            elif (
                isinstance(item, Integral)
                and not isinstance(item, bool)
                and 0 <= item < self.n_features_in_
            ):
                j = int(item)
            else:
                raise ValueError(
                    "categorical_features must hold column indices in "
                    f"[0, {self.n_features_in_}) or column names; got {item!r}"
                )
            columns.setdefault(j, None)
        return columns

    def _binarise(self, X: np.ndarray) -> list[Condition]:
        names = (
            [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(X.shape[1])]
        )
        categorical = self._categorical_columns()
        conditions: list[Condition] = []
        for j in range(X.shape[1]):
            column = X[:, j]
            values = np.unique(column)
            if j in categorical:
                labels = categorical[j]
                for v in values:
                    if labels is not None:
                        if v < 0:
                            continue
                        label = str(labels[int(v)])
                    else:
                        label = _fmt(v)
                    conditions.append(Condition(j, "==", float(v), names[j], label))
                continue
            if len(values) > self.n_thresholds + 1:
                levels = np.arange(1, self.n_thresholds + 1) / (self.n_thresholds + 1)
                values = np.unique(np.quantile(column, levels, method="lower"))
            thresholds = values[values > column.min()]
            for t in thresholds:
                conditions.append(Condition(j, "<", float(t), names[j]))
                conditions.append(Condition(j, ">=", float(t), names[j]))
        return conditions

    # ---- fitting ---------------------------------------------------------

    def fit(self, X: ArrayLike, y: ArrayLike) -> RuleListClassifier:
        """Learn the rule list.

        Parameters
        ----------
        X : array-like of shape (n, p) or DataFrame
            Features; DataFrame columns that are not numeric (strings,
            categories, booleans) are treated as categorical.
        y : array-like of shape (n,)
            Class labels.

        Returns
        -------
        RuleListClassifier
            The fitted estimator.

        Raises
        ------
        TypeError
            If ``max_rules``, ``max_conditions`` or ``n_thresholds`` is not an
            integer, or ``min_support`` is not a number.
        ValueError
            If a parameter is invalid, or the numeric data contain NaN or
            infinity.
        """
        max_rules = check_int(self.max_rules, "max_rules", low=0)
        max_conditions = check_int(self.max_conditions, "max_conditions", low=1, high=2)
        check_int(self.n_thresholds, "n_thresholds", low=1)
        X, y = self._encode(X, reset=True, y=y)
        check_classification_targets(y)
        min_support = _check_min_support(self.min_support, len(X))
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        self.conditions_ = self._binarise(X)
        self.categories_ = {
            j: list(labels) if labels is not None else np.unique(X[:, j]).tolist()
            for j, labels in sorted(self._categorical_columns().items())
        }
        B = np.column_stack(
            [c.holds(X) for c in self.conditions_] or [np.zeros(len(X), dtype=bool)]
        )
        Y = np.eye(n_classes)[y_index]  # one-hot (n, K)
        m = B.shape[1]
        allowed = np.triu(np.ones((m, m), dtype=bool))
        if max_conditions == 1:
            allowed = np.eye(m, dtype=bool)
        # Prefer fewer conditions, then earlier ones: diagonal first, then
        # pairs in row-major order.
        flat_order = np.concatenate(
            [
                np.flatnonzero(np.eye(m, dtype=bool).ravel()),
                np.flatnonzero((allowed & ~np.eye(m, dtype=bool)).ravel()),
            ]
        )
        uncovered = np.ones(len(X), dtype=bool)
        rules: list[Rule] = []
        while len(rules) < max_rules and uncovered.any():
            Bu = B[uncovered].astype(float)
            Yu = Y[uncovered]
            totals = Yu.sum(axis=0)  # (K,)
            # counts[i, j, k]: uncovered rows meeting conditions i and j, class k.
            counts = np.stack(
                [(Bu * Yu[:, [k]]).T @ Bu for k in range(n_classes)], axis=2
            )
            support = counts.sum(axis=2)
            correct = counts.max(axis=2) + (totals - counts).max(axis=2)
            ok = allowed & (support >= min_support)
            score = np.where(ok, correct, -np.inf).ravel()[flat_order]
            best = int(np.argmax(score))
            if not np.isfinite(score[best]) or score[best] <= totals.max():
                break
            i, j = divmod(int(flat_order[best]), m)
            chosen = (
                (self.conditions_[i],)
                if i == j
                else (self.conditions_[i], self.conditions_[j])
            )
            covered = uncovered & B[:, i] & B[:, j]
            rules.append(self._make_rule(chosen, Y[covered]))
            uncovered &= ~covered
        rest = Y[uncovered] if uncovered.any() else Y
        rule = self._make_rule((), rest)
        self.rules_ = [
            *rules,
            Rule((), rule.prediction, rule.proba, int(uncovered.sum())),
        ]
        return self

    def _make_rule(self, conditions: tuple[Condition, ...], Y: np.ndarray) -> Rule:
        counts = Y.sum(axis=0)
        proba = counts / counts.sum()
        prediction = self.classes_[int(np.argmax(counts))]
        return Rule(conditions, prediction, proba, len(Y))

    # ---- prediction ------------------------------------------------------

    def apply(self, X: ArrayLike) -> np.ndarray:
        """Index in ``rules_`` of the first rule matching each row.

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_) or DataFrame
            Features, like those passed to ``fit``.

        Returns
        -------
        ndarray of int, shape (n,)
            Rule index (``len(rules_) - 1`` is the default rule).
        """
        check_is_fitted(self)
        X = self._encode(X, reset=False)
        matched = np.column_stack([rule.matches(X) for rule in self.rules_])
        return np.argmax(matched, axis=1)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class frequencies of the training rows of each row's rule.

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_) or DataFrame
            Features.

        Returns
        -------
        ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        index = self.apply(X)
        table = np.vstack([rule.proba for rule in self.rules_])
        return table[index]

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Prediction of the first matching rule.

        Parameters
        ----------
        X : array-like of shape (n, n_features_in_) or DataFrame
            Features.

        Returns
        -------
        ndarray of shape (n,)
            Predicted labels.
        """
        index = self.apply(X)
        labels = np.array(
            [rule.prediction for rule in self.rules_], dtype=self.classes_.dtype
        )
        return labels[index]

    def describe(self) -> str:
        """The rule list as text, one rule per line.

        Returns
        -------
        str
            Lines ``IF ... THEN ...`` and a final ``ELSE ...``.
        """
        check_is_fitted(self)
        return "\n".join(str(rule) for rule in self.rules_)


# --------------------------------------------------------------------------
# Decision trees as rules
# --------------------------------------------------------------------------


def tree_rules(
    decision_tree: Any, feature_names: list[str] | None = None
) -> list[Rule]:
    """Rules of a fitted decision tree, one per leaf, in depth-first order.

    Each rule is the conjunction of the tests on the path from the root to a
    leaf (``x <= t`` going left, ``x > t`` going right, as scikit-learn
    splits); its prediction is the leaf's class, ``proba`` the leaf's class
    frequencies (:meth:`~sklearn.tree.DecisionTreeClassifier.predict_proba`)
    and ``support`` its number of training rows. The leaves partition the
    feature space, so exactly one rule matches each row (the tree compares
    float32 copies of the features: a value within float32 rounding of a
    threshold may be sent the other way than the float64 comparison of
    :meth:`Rule.matches`).

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier
        A fitted single-output classification tree.
    feature_names : list of str, optional
        Names of the columns; default the tree's ``feature_names_in_`` if any,
        else ``x0, x1, ...``.

    Returns
    -------
    list of Rule
        One rule per leaf.

    Raises
    ------
    TypeError
        If ``decision_tree`` is not a fitted classification tree.
    ValueError
        If ``feature_names`` has the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X = np.array([[20, 0], [22, 5], [40, 1], [50, 6]])
    >>> tree = DecisionTreeClassifier(max_depth=1).fit(X, [1, 1, 0, 0])
    >>> for rule in tree_rules(tree, ["age", "priors"]):
    ...     print(rule)
    IF age <= 31 THEN 1 (p = 1.00, n = 2)
    IF age > 31 THEN 0 (p = 1.00, n = 2)
    """
    tree = getattr(decision_tree, "tree_", None)
    classes = getattr(decision_tree, "classes_", None)
    if tree is None or classes is None or isinstance(classes, list):
        raise TypeError(
            "decision_tree must be a fitted single-output DecisionTreeClassifier; "
            f"got {type(decision_tree).__name__}"
        )
    n_features = int(decision_tree.n_features_in_)
    if feature_names is None:
        names_in = getattr(decision_tree, "feature_names_in_", None)
        feature_names = (
            [str(c) for c in names_in]
            if names_in is not None
            else [f"x{j}" for j in range(n_features)]
        )
    if len(feature_names) != n_features:
        raise ValueError(
            f"feature_names must have one name per feature ({n_features}); "
            f"got {len(feature_names)}"
        )
    left, right = tree.children_left, tree.children_right
    values = tree.value[:, 0, :]
    rules: list[Rule] = []
    # Iterative depth-first walk over the tree's nodes (not over data rows).
    stack: list[tuple[int, tuple[Condition, ...]]] = [(0, ())]
    while stack:
        node, path = stack.pop()
        if left[node] == right[node]:  # leaf
            proba = values[node] / values[node].sum()
            rules.append(
                Rule(
                    path,
                    classes[int(np.argmax(proba))],
                    proba,
                    int(tree.n_node_samples[node]),
                )
            )
            continue
        j = int(tree.feature[node])
        t = float(tree.threshold[node])
        name = feature_names[j]
        stack.append((int(right[node]), (*path, Condition(j, ">", t, name))))
        stack.append((int(left[node]), (*path, Condition(j, "<=", t, name))))
    return rules
