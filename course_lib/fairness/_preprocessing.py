"""Pre-processing for fairness: reweighing (Kamiran and Calders 2012).

Reweighing gives every training row a weight that depends only on its group
``g`` and label ``y``,

.. math:: w(g, y) = \\frac{P(g)\\,P(y)}{P(g, y)},

the ratio between the frequency the cell would have if label and group were
independent and its observed frequency. Under these weights the label
distribution is the same in every group (weighted ``P(y | g) = P(y)``
exactly) and the weights sum to the number of rows; a learner that accepts
``sample_weight`` then trains on data without the statistical dependence
between group and label (F. Kamiran and T. Calders, "Data preprocessing
techniques for classification without discrimination", *Knowledge and
Information Systems* 33, 2012).

Groups follow :mod:`course_lib.fairness`: one sensitive feature or
several (every observed combination is a group), aligned by position, no
missing values. Labels may be of any hashable type and any number (not only
binary). Every observed group must contain every label: an empty (group,
label) cell has no finite weight that makes the groups alike, and is an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator

from course_lib._checks import as_1d, check_sample_weight
from course_lib.fairness._counting import group_codes, group_index, label_codes

__all__ = ["Reweighing", "reweighing_weights"]


def _labels(y: Any) -> tuple[np.ndarray, list[Any]]:
    y = as_1d(y, "y")
    if len(y) == 0:
        raise ValueError("y must not be empty; got 0 samples")
    return label_codes(y, "y")


def _fit_table(
    y: Any, sensitive_features: Any, sample_weight: Any
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Counts and weights per (group, label), plus row group and label codes.

    The tables' rows are sorted by group value; the returned codes index the
    rows and columns of those tables.
    """
    label, classes = _labels(y)
    n = len(label)
    base = check_sample_weight(sample_weight, n)
    group, levels, level_codes = group_codes(sensitive_features, n)
    n_groups, n_labels = len(level_codes), len(classes)
    # Sort the groups by value (level codes are positions in sorted levels).
    order = np.lexsort(level_codes.T[::-1])
    rank = np.empty(n_groups, dtype=np.intp)
    rank[order] = np.arange(n_groups)
    group = rank[group]
    index = group_index(levels, level_codes[order])
    columns = pd.Index(classes, name="label")
    counts = np.bincount(
        group * n_labels + label, weights=base, minlength=n_groups * n_labels
    ).reshape(n_groups, n_labels)
    empty = np.argwhere(counts <= 0)
    if len(empty):
        g, lab = empty[0]
        raise ValueError(
            "every (group, label) combination must occur (with positive weight) "
            f"for reweighing; got {len(empty)} empty cell(s), e.g. no rows with "
            f"label {classes[lab]!r} in group {index[g]!r}. Merge small groups or "
            "drop the group."
        )
    total = counts.sum()
    p_group = counts.sum(axis=1, keepdims=True) / total
    p_label = counts.sum(axis=0, keepdims=True) / total
    weights = p_group * p_label / (counts / total)
    return (
        pd.DataFrame(counts, index=index, columns=columns),
        pd.DataFrame(weights, index=index, columns=columns),
        group,
        label,
    )


def reweighing_weights(
    y: ArrayLike,
    *,
    sensitive_features: Any,
    sample_weight: ArrayLike | None = None,
) -> np.ndarray:
    """Kamiran-Calders reweighing weights ``P(g) P(y) / P(g, y)`` per row.

    Parameters
    ----------
    y : array-like of shape (n,)
        Training labels (any hashable values, no missing values).
    sensitive_features : array-like, Series, DataFrame or dict of columns
        Group membership of each row, aligned by position; several columns
        give intersectional groups. No missing values.
    sample_weight : array-like of shape (n,), optional
        Existing weights (finite, non-negative, not all zero). The
        probabilities are then weighted and the result is
        ``sample_weight * w(g, y)``.

    Returns
    -------
    ndarray of shape (n,)
        One weight per row. They sum to ``n`` (to ``sum(sample_weight)``
        when given), and under them ``P(y | g)`` is the same in every group.

    Raises
    ------
    ValueError
        If ``y`` is empty, not 1-D or has missing values; if the lengths
        differ; if a sensitive feature has missing values; if
        ``sample_weight`` is invalid; or if some group has no row (of positive
        weight) with some label.
    TypeError
        If a sensitive feature name is not a string or a value is unhashable.

    Examples
    --------
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> reweighing_weights(y, sensitive_features=group)
    array([0.66666667, 0.66666667, 0.66666667, 2.        , 2.        ,
           0.66666667, 0.66666667, 0.66666667])
    """
    _, weights, group, label = _fit_table(y, sensitive_features, sample_weight)
    out = weights.to_numpy()[group, label]
    if sample_weight is not None:
        out = out * np.asarray(sample_weight, dtype=np.float64)
    return out


class Reweighing(BaseEstimator):
    """Kamiran-Calders reweighing, fitted on training labels and groups.

    ``fit`` learns one weight per (group, label) cell, ``w(g, y) = P(g) P(y) /
    P(g, y)``; :meth:`sample_weight` returns the weights of any rows (the
    training rows or new ones from the same groups and labels), to pass to a
    learner's ``fit(..., sample_weight=...)``. It has no parameters.

    Attributes
    ----------
    weights_ : pandas.DataFrame
        ``w(g, y)``: one row per observed group (index like
        :func:`~course_lib.fairness.group_metrics`, sorted), one column
        per label (columns named ``label``, sorted).
    counts_ : pandas.DataFrame
        The (weighted) number of training rows in every cell, same shape.
    classes_ : ndarray
        The labels, sorted.
    n_features_in_ : int
        Number of columns of ``X`` at fit time (1 for 1-D ``X``).

    Examples
    --------
    >>> y = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> group = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> rw = Reweighing().fit([[0]] * 8, y, sensitive_features=group)
    >>> rw.weights_.round(3)  # doctest: +NORMALIZE_WHITESPACE
    label                    0      1
    sensitive_feature_0
    a                    2.000  0.667
    b                    0.667  2.000
    >>> rw.sample_weight([0, 1], sensitive_features=["a", "b"])
    array([2., 2.])
    """

    def fit(
        self,
        X: Any,
        y: ArrayLike,
        *,
        sensitive_features: Any,
        sample_weight: ArrayLike | None = None,
    ) -> Reweighing:
        """Learn the weight of every (group, label) cell.

        Parameters
        ----------
        X : array-like of shape (n, p)
            Training features; only their number of rows is used.
        y : array-like of shape (n,)
            Training labels.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Group membership of each training row.
        sample_weight : array-like of shape (n,), optional
            Existing weights; the probabilities are then weighted.

        Returns
        -------
        Reweighing
            The fitted object.

        Raises
        ------
        ValueError
            As :func:`reweighing_weights`, or if ``X`` and ``y`` have
            different numbers of rows.
        TypeError
            As :func:`reweighing_weights`.
        """
        n_x = len(X)
        n_y = len(y)
        if n_x != n_y:
            raise ValueError(
                f"X and y must have the same number of rows; got {n_x} and {n_y}"
            )
        counts, weights, _, _ = _fit_table(y, sensitive_features, sample_weight)
        self.counts_ = counts
        self.weights_ = weights
        self.classes_ = weights.columns.to_numpy()
        self.n_features_in_ = int(np.shape(X)[1]) if np.ndim(X) > 1 else 1
        return self

    def sample_weight(
        self,
        y: ArrayLike,
        sensitive_features: Any,
        sample_weight: ArrayLike | None = None,
    ) -> np.ndarray:
        """Weights of the given rows, looked up in :attr:`weights_`.

        Parameters
        ----------
        y : array-like of shape (n,)
            Labels of the rows.
        sensitive_features : array-like, Series, DataFrame or dict of columns
            Their groups, with as many features as at fit time (matched by
            position, not by name).
        sample_weight : array-like of shape (n,), optional
            Existing weights, multiplied into the result.

        Returns
        -------
        ndarray of shape (n,)
            ``w(g, y)`` of every row (times ``sample_weight``).

        Raises
        ------
        ValueError
            If the object is not fitted, the number of sensitive features
            differs from fit time, a group or label was not seen in ``fit``,
            or the inputs are invalid as in :func:`reweighing_weights`.
        TypeError
            As :func:`reweighing_weights`.
        """
        if not hasattr(self, "weights_"):
            raise ValueError(
                "This Reweighing is not fitted yet; call fit(X, y, "
                "sensitive_features=...) first"
            )
        label, uniques = _labels(y)
        n = len(label)
        base = check_sample_weight(sample_weight, n)
        group, levels, level_codes = group_codes(sensitive_features, n)
        fitted = self.weights_.index
        if len(levels) != fitted.nlevels:
            raise ValueError(
                f"sensitive_features must have {fitted.nlevels} feature(s) as in "
                f"fit; got {len(levels)}"
            )
        seen = group_index(levels, level_codes)
        if fitted.nlevels > 1:
            seen = seen.set_names(fitted.names)
        group_pos = fitted.get_indexer(seen)
        if (group_pos < 0).any():
            unseen = list(seen[group_pos < 0])
            raise ValueError(
                "sensitive_features must only contain groups seen in fit; got "
                f"{len(unseen)} new group(s), e.g. {unseen[0]!r}"
            )
        label_pos = pd.Index(self.classes_).get_indexer(pd.Index(uniques))
        if (label_pos < 0).any():
            unseen = [u for u, p in zip(uniques, label_pos, strict=True) if p < 0]
            raise ValueError(
                "y must only contain labels seen in fit "
                f"({self.classes_.tolist()}); got {unseen}"
            )
        out = self.weights_.to_numpy()[group_pos[group], label_pos[label]]
        return out if base is None else out * base
