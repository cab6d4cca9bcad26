"""Membership inference: was this person in the training set?

The loss-threshold attack of Yeom et al. (2018) (:func:`loss_threshold_attack`),
the advantage of any attack (:func:`membership_advantage`), an audit of
training algorithms over random splits with its noise floor
(:func:`membership_audit`), and :func:`advantage_bound`, the most any attack can
reach against an (epsilon, delta)-DP training algorithm (Kairouz, Oh and
Viswanath 2015).

References
----------
Yeom, S., Giacomelli, I., Fredrikson, M. and Jha, S. (2018). Privacy risk in
machine learning: analyzing the connection to overfitting. CSF.
Kairouz, P., Oh, S. and Viswanath, P. (2015). The composition theorem for
differential privacy. ICML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import roc_auc_score, roc_curve

from course_lib._checks import as_binary_1d
from course_lib._checks import check_int as _check_int
from course_lib._checks import check_real as _check_real
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "advantage_bound",
    "loss_threshold_attack",
    "membership_advantage",
    "membership_audit",
]


def _log_loss_per_example(model: Any, x: Any, y: Any, name: str) -> np.ndarray:
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise TypeError(
            "model must be a fitted classifier with predict_proba and classes_; "
            f"got {type(model).__name__}"
        )
    proba = np.asarray(model.predict_proba(x), dtype=float)
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != proba.shape[0]:
        raise ValueError(
            f"y_{name} must be a 1-D array with one label per row of X_{name} "
            f"({proba.shape[0]}); got shape {labels.shape}"
        )
    if labels.size == 0:
        raise ValueError(f"X_{name} must have at least one row; got 0")
    classes = np.asarray(model.classes_)
    position = np.searchsorted(classes, labels)
    position = np.clip(position, 0, classes.size - 1)
    unknown = classes[position] != labels
    if unknown.any():
        raise ValueError(
            f"y_{name} must hold labels in model.classes_ {classes.tolist()}; got "
            f"{np.unique(labels[unknown]).tolist()[:5]}"
        )
    p = proba[np.arange(labels.size), position]
    return -np.log(np.clip(p, np.finfo(float).tiny, 1.0))


def loss_threshold_attack(
    model: Any,
    X_members: Any,
    y_members: Any,
    X_nonmembers: Any,
    y_nonmembers: Any,
) -> dict[str, float]:
    """Membership inference by thresholding the loss (Yeom et al. 2018).

    The attacker predicts "member of the training set" when an example's
    log loss ``-log p_model(y | x)`` is at most a threshold: models fit
    their training examples better than new ones. The membership advantage
    of a threshold is TPR - FPR (members flagged minus non-members
    flagged); this reports the best threshold (an optimistic, in-sample
    choice: the attacker is assumed to know it) and the AUC over all
    thresholds. For an epsilon-DP training algorithm the advantage is at
    most ``e**epsilon - 1`` (Yeom et al., Theorem 1).

    Parameters
    ----------
    model : fitted classifier
        Anything with ``predict_proba`` and ``classes_`` (scikit-learn
        conventions).
    X_members, y_members : array-like
        Training examples and their labels.
    X_nonmembers, y_nonmembers : array-like
        Examples from the same distribution not used in training.

    Returns
    -------
    dict
        ``"advantage"``: max over thresholds of TPR - FPR, in [0, 1];
        ``"auc"``: the probability that a random member has a lower loss
        than a random non-member (ties count 1/2);
        ``"threshold"``: the loss threshold achieving the advantage (predict
        member when loss <= threshold; ``-inf`` means flag nobody).

    Raises
    ------
    TypeError
        If ``model`` lacks ``predict_proba`` or ``classes_``.
    ValueError
        If labels are not in ``model.classes_`` or lengths mismatch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    >>> tree = DecisionTreeClassifier(random_state=0).fit(X[:200], y[:200])
    >>> result = loss_threshold_attack(tree, X[:200], y[:200], X[200:], y[200:])
    >>> sorted(result), result["advantage"] > 0.2
    (['advantage', 'auc', 'threshold'], True)
    """
    loss_in = _log_loss_per_example(model, X_members, y_members, "members")
    loss_out = _log_loss_per_example(model, X_nonmembers, y_nonmembers, "nonmembers")
    is_member = np.concatenate([np.ones(loss_in.size), np.zeros(loss_out.size)])
    score = -np.concatenate([loss_in, loss_out])
    fpr, tpr, thresholds = roc_curve(is_member, score)
    best = int(np.argmax(tpr - fpr))
    return {
        "advantage": float(tpr[best] - fpr[best]),
        "auc": float(roc_auc_score(is_member, score)),
        "threshold": float(-thresholds[best]) + 0.0,  # + 0.0 turns -0.0 into 0.0
    }


def membership_advantage(predicted_members: Any, predicted_nonmembers: Any) -> float:
    """Membership advantage of any attack: TPR - FPR.

    Parameters
    ----------
    predicted_members : array-like of bool
        The attack's guesses ("member?") on true members.
    predicted_nonmembers : array-like of bool
        Its guesses on true non-members.

    Returns
    -------
    float
        Share of members flagged minus share of non-members flagged, in
        [-1, 1]; 0 for guessing at random, 1 for a perfect attack.

    Raises
    ------
    ValueError
        If an input is empty or not 1-D of booleans (or 0/1).

    Examples
    --------
    >>> membership_advantage([True, True, False, True], [False, True, False, False])
    0.5
    """
    members = as_binary_1d(predicted_members, "predicted_members")
    nonmembers = as_binary_1d(predicted_nonmembers, "predicted_nonmembers")
    return float(members.mean() - nonmembers.mean())


def membership_audit(
    models: Mapping[Any, Any],
    X: Any,
    y: Any,
    *,
    n_members: int,
    n_nonmembers: int,
    n_splits: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Loss-threshold attacks on models trained on random splits, with a noise floor.

    An empirical audit of training algorithms: in each split the rows are
    shuffled with ``rng``; the first ``n_members`` are the training set, the
    next ``n_nonmembers`` the non-members, and the ``n_members`` after those a
    second set of people the model never saw. Each model is cloned, given
    ``random_state=split`` if it has that parameter, trained on the members
    and attacked with :func:`loss_threshold_attack` (members against
    non-members). Attacking it again with the second set in place of the
    members measures the *noise floor*: the advantage the attack shows where
    there is nothing to find, because it picks its threshold on the
    examples it is scored on. An audit only bounds the privacy loss from
    below: compare the advantage with :func:`advantage_bound`.

    Parameters
    ----------
    models : mapping
        Name (any hashable) to an unfitted scikit-learn classifier, cloned
        for every split.
    X, y : array-like
        The examples and their labels, ``len(y) >= 2 * n_members +
        n_nonmembers``.
    n_members, n_nonmembers : int
        Sizes of the training set and of the non-members, at least 1.
    n_splits : int
        Number of random splits, at least 1.
    rng : numpy.random.Generator
        Draws the splits (one permutation of the rows per split).

    Returns
    -------
    pandas.DataFrame
        One row per split and model, splits in order and models in the
        mapping's order: ``split``, ``model`` (the name), ``advantage`` and
        ``noise_floor``.

    Raises
    ------
    TypeError
        If ``models`` is not a non-empty mapping, a size is not an integer or
        ``rng`` is not a Generator.
    ValueError
        If a size is below 1, or there are too few rows for the split.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(700, 2))
    >>> y = (X[:, 0] + rng.normal(size=700) > 0).astype(int)
    >>> models = {"tree": DecisionTreeClassifier(), "linear": LogisticRegression()}
    >>> runs = membership_audit(models, X, y, n_members=100, n_nonmembers=300,
    ...                         n_splits=2, rng=rng)
    >>> runs.round(2)
       split   model  advantage  noise_floor
    0      0    tree       0.34         0.00
    1      0  linear       0.05         0.05
    2      1    tree       0.38         0.04
    3      1  linear       0.14         0.03
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"models must be a non-empty mapping; got {models!r}")
    n_members = _check_int(n_members, "n_members", low=1)
    n_nonmembers = _check_int(n_nonmembers, "n_nonmembers", low=1)
    n_splits = _check_int(n_splits, "n_splits", low=1)
    rng = _check_rng(rng)
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y) or len(y) < 2 * n_members + n_nonmembers:
        raise ValueError(
            "X and y must have the same length, at least 2 * n_members + "
            f"n_nonmembers = {2 * n_members + n_nonmembers}; got {len(X)} and {len(y)}"
        )
    rows = []
    for split in range(n_splits):
        order = rng.permutation(len(y))
        members = order[:n_members]
        nonmembers = order[n_members : n_members + n_nonmembers]
        unseen = order[n_members + n_nonmembers : 2 * n_members + n_nonmembers]
        outside = (X[nonmembers], y[nonmembers])
        for name, model in models.items():
            fitted = clone(model)
            if "random_state" in fitted.get_params():
                fitted.set_params(random_state=split)
            fitted.fit(X[members], y[members])
            attack = loss_threshold_attack(fitted, X[members], y[members], *outside)
            floor = loss_threshold_attack(fitted, X[unseen], y[unseen], *outside)
            rows.append(
                {
                    "split": split,
                    "model": name,
                    "advantage": attack["advantage"],
                    "noise_floor": floor["advantage"],
                }
            )
    return pd.DataFrame(rows)


def advantage_bound(epsilon: float | np.ndarray, delta: float = 0.0) -> Any:
    """The largest membership advantage an (epsilon, delta)-DP algorithm allows.

    Deciding from a model whether one person was in its training set is a
    hypothesis test between two neighbouring training sets. For an
    ``(epsilon, delta)``-DP training algorithm every such test has
    ``TPR <= e^epsilon FPR + delta`` and ``1 - FPR <= e^epsilon (1 - TPR) +
    delta`` (Kairouz, Oh and Viswanath 2015), so its advantage ``TPR - FPR``
    (:func:`membership_advantage`) is at most

        (e^epsilon - 1 + 2 delta) / (e^epsilon + 1),

    tighter than Yeom et al.'s ``e^epsilon - 1`` for pure epsilon-DP. An
    attack measured above this bound refutes the privacy claim; one below it
    proves nothing.

    Parameters
    ----------
    epsilon : float or array-like of float
        Privacy loss, each at least 0; ``inf`` (no guarantee) gives 1.
    delta : float, default 0.0
        Failure probability, in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        The bound, in [delta, 1]; an array of ``epsilon``'s shape when
        ``epsilon`` is an array.

    Raises
    ------
    TypeError
        If ``epsilon`` is not numbers or ``delta`` is not a real number.
    ValueError
        If an epsilon is negative or NaN, or ``delta`` is outside [0, 1].

    Examples
    --------
    >>> round(advantage_bound(1.0), 4)
    0.4621
    >>> advantage_bound([0.0, float("inf")], delta=1e-5)
    array([1.e-05, 1.e+00])
    """
    delta = _check_real(delta, "delta", low=0.0, high=1.0)
    try:
        eps = np.asarray(epsilon, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"epsilon must be a real number or an array of them; got {epsilon!r}"
        ) from None
    if np.isnan(eps).any() or (eps < 0).any():
        raise ValueError(f"epsilon must be at least 0; got {epsilon!r}")
    finite = np.where(np.isinf(eps), 0.0, eps)
    bound = np.where(
        np.isinf(eps), 1.0, (np.expm1(finite) + 2 * delta) / (np.exp(finite) + 1)
    )
    return float(bound) if bound.ndim == 0 else bound
