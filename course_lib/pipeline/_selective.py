"""Selective labels: outcomes exist only for those the old decision let through.

A lender learns whether a loan is repaid only if it made the loan; a court
learns whether a defendant reoffends on release only if it released them
(Lakkaraju et al. 2017; Kleinberg et al. 2018). A model trained on the
labelled rows never sees the people the old policy refused, and an
evaluation on the labelled rows measures accuracy and fairness on a
population that is not the one the model will score.

:func:`selective_rates` compares each group's error rates on the observed
rows with those on all rows; :func:`selective_labels_experiment` stages the
problem on a fully labelled data set: it trains one model on the "approved"
rows only and one on every row (cross-fitted), and evaluates both everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_lib._checks import as_bool_1d, as_float_2d, check_int, check_real
from course_lib.fairness import group_metrics

__all__ = [
    "SelectiveLabelsResult",
    "default_selective_estimator",
    "selective_labels_experiment",
    "selective_rates",
]

_RATES = ("fpr", "fnr", "selection_rate")
_MODELS = ("selected_only", "all_labels")


def _take(values: Any, mask: np.ndarray) -> Any:
    """Rows ``mask`` of a 1-D or 2-D array-like, by position."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return values.iloc[mask]
    if isinstance(values, dict):
        return {k: np.asarray(v)[mask] for k, v in values.items()}
    return np.asarray(values)[mask]


def selective_rates(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    observed: ArrayLike,
    sensitive_features: Any,
) -> pd.DataFrame:
    """Per-group error and selection rates on the observed rows and on all rows.

    The "observed" columns are what an auditor who sees only the labelled
    rows computes; the "all" columns are the truth on the whole population.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True labels (0/1), known here for every row.
    y_pred : array-like of shape (n,)
        Decisions (0/1).
    observed : array-like of bool, shape (n,)
        Whether the row's label would be observed (e.g. the applicant was
        approved).
    sensitive_features : array-like of shape (n,)
        Group of each row (as in :func:`course_lib.fairness.group_metrics`).

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted); columns ``fpr_observed``, ``fpr_all``,
        ``fnr_observed``, ``fnr_all``, ``selection_observed``,
        ``selection_all``. NaN where a denominator is empty (e.g. a group
        with no observed negatives).

    Raises
    ------
    ValueError
        On mismatched lengths or non-binary labels (as ``group_metrics``),
        or an ``observed`` that is not boolean.

    Examples
    --------
    >>> table = selective_rates(
    ...     [0, 0, 1, 1, 0, 0, 1, 1], [1, 0, 1, 0, 1, 1, 1, 0],
    ...     observed=[True, True, True, True, False, True, False, True],
    ...     sensitive_features=["a", "a", "a", "a", "b", "b", "b", "b"])
    >>> table[["fpr_observed", "fpr_all", "fnr_observed", "fnr_all"]].to_dict("index")
    {'a': {'fpr_observed': 0.5, 'fpr_all': 0.5, 'fnr_observed': 0.5, 'fnr_all': 0.5}, \
'b': {'fpr_observed': 1.0, 'fpr_all': 1.0, 'fnr_observed': 1.0, 'fnr_all': 0.5}}
    """
    everyone = group_metrics(y_true, y_pred, sensitive_features=sensitive_features)
    n = int(everyone["count"].sum())
    seen = as_bool_1d(observed, "observed", n)
    if seen.any():
        labelled = group_metrics(
            _take(y_true, seen),
            _take(y_pred, seen),
            sensitive_features=_take(sensitive_features, seen),
        ).reindex(everyone.index)
    else:
        labelled = pd.DataFrame(np.nan, index=everyone.index, columns=list(_RATES))
    columns = {}
    for rate in _RATES:
        short = "selection" if rate == "selection_rate" else rate
        columns[f"{short}_observed"] = labelled[rate].to_numpy(dtype=float)
        columns[f"{short}_all"] = everyone[rate].to_numpy(dtype=float)
    return pd.DataFrame(columns, index=everyone.index)


def default_selective_estimator() -> BaseEstimator:
    """The default model of :func:`selective_labels_experiment`.

    Standardised features, then an L2-penalised logistic regression with
    ``C = 0.1`` (strong regularisation: German credit has 1,000 rows and
    about 50 one-hot features).

    Examples
    --------
    >>> [name for name, _ in default_selective_estimator().steps]
    ['standardscaler', 'logisticregression']
    """
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))


@dataclass(frozen=True)
class SelectiveLabelsResult:
    """What :func:`selective_labels_experiment` returns.

    Attributes
    ----------
    predictions : pandas.DataFrame
        Cross-fitted probability of the positive label for every row, from
        the model trained on the approved rows only (``selected_only``) and
        from the one trained on every row (``all_labels``).
    summary : pandas.DataFrame
        Rows ``mean_predicted_rejected``, ``mean_predicted_approved``,
        ``auc_approved``, ``auc_all`` and, with groups,
        ``fpr_difference_approved``, ``fpr_difference_all`` (largest minus
        smallest group false positive rate at the threshold, on the approved
        rows and on all rows); columns ``selected_only``, ``all_labels``,
        ``truth`` (the observed positive rate, for the two mean rows only).
    rates : pandas.DataFrame or None
        :func:`selective_rates` of each model's decisions with ``observed =
        approved``, indexed by (model, group); None without groups.

    Examples
    --------
    >>> SelectiveLabelsResult.__dataclass_fields__.keys()
    dict_keys(['predictions', 'summary', 'rates'])
    """

    predictions: pd.DataFrame
    summary: pd.DataFrame
    rates: pd.DataFrame | None


def _positive_proba(model: Any, X: np.ndarray) -> np.ndarray:
    proba = model.predict_proba(X)
    return proba[:, list(model.classes_).index(1)]


def selective_labels_experiment(
    X: ArrayLike,
    y: ArrayLike,
    approved: ArrayLike,
    *,
    sensitive_features: ArrayLike | None = None,
    estimator: BaseEstimator | None = None,
    threshold: float = 0.5,
    n_splits: int = 10,
    random_state: int | None = 0,
) -> SelectiveLabelsResult:
    """Train on the approved only and on everyone; evaluate both on everyone.

    Cross-fitted with ``StratifiedKFold(n_splits, shuffle=True,
    random_state)`` on ``y``: in each fold, the *selected-only* model is
    fitted on the fold's training rows that were approved (the labels a
    lender would have), the *all-labels* model on all of the fold's training
    rows, and both predict the fold's held-out rows, approved or not.
    Columns that are constant among the approved training rows (e.g. the
    indicator of the very feature the old policy rejected on) carry no
    information for the selected-only model and are dropped for it.

    Parameters
    ----------
    X : array-like of shape (n, p)
        Numeric features (one-hot encode categorical ones first).
    y : array-like of shape (n,)
        0/1 label, 1 the outcome to predict (e.g. bad credit).
    approved : array-like of bool, shape (n,)
        The old policy's decision: True where the label would be observed.
    sensitive_features : array-like of shape (n,), optional
        Groups for the false-positive comparison (e.g. ``age < 25``).
    estimator : scikit-learn classifier, optional
        Cloned for every fit; needs ``predict_proba``. Default
        :func:`default_selective_estimator`.
    threshold : float, default 0.5
        Decision: positive where the predicted probability is at least this,
        in (0, 1).
    n_splits : int, default 10
        Folds (>= 2).
    random_state : int or None, default 0
        Shuffling of the folds.

    Returns
    -------
    SelectiveLabelsResult

    Raises
    ------
    ValueError
        If ``approved`` lacks True or False, ``y`` is not 0/1, lengths
        differ, ``threshold`` is outside (0, 1), ``n_splits < 2``, or a
        fold's approved training rows hold a single class.
    TypeError
        If ``X`` is not numeric or the estimator has no ``predict_proba``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    >>> result = selective_labels_experiment(X, y, X[:, 0] < 0.5, n_splits=3)
    >>> result.summary.loc["mean_predicted_rejected"].round(2).tolist()
    [0.67, 0.77, 0.87]
    """
    X_arr = as_float_2d(X, "X")
    n = X_arr.shape[0]
    y_arr = np.asarray(y)
    if y_arr.ndim != 1 or len(y_arr) != n:
        raise ValueError(
            f"y must be 1-D with one value per row of X ({n}); got shape {y_arr.shape}"
        )
    y_arr = as_bool_1d(y_arr, "y", n).astype(int)
    ok = as_bool_1d(approved, "approved", n)
    if ok.all() or not ok.any():
        raise ValueError(
            f"approved must contain both True and False; got only {bool(ok[0])}"
        )
    threshold = check_real(
        threshold, "threshold", low=0.0, high=1.0, low_open=True, high_open=True
    )
    n_splits = check_int(n_splits, "n_splits", low=2)
    if estimator is None:
        estimator = default_selective_estimator()
    elif not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"estimator must have predict_proba; got {type(estimator).__name__}"
        )
    if sensitive_features is not None and len(sensitive_features) != n:
        raise ValueError(
            f"sensitive_features must have one value per row of X ({n}); got "
            f"{len(sensitive_features)}"
        )

    pred = {m: np.zeros(n) for m in _MODELS}
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
    for train, test in folds.split(X_arr, y_arr):
        sel = train[ok[train]]
        if len(np.unique(y_arr[sel])) < 2:
            raise ValueError(
                "y must have both classes among every fold's approved training "
                "rows; got a single class (use fewer folds)"
            )
        keep = np.ptp(X_arr[sel], axis=0) > 0
        model = clone(estimator).fit(X_arr[sel][:, keep], y_arr[sel])
        pred["selected_only"][test] = _positive_proba(model, X_arr[test][:, keep])
        model = clone(estimator).fit(X_arr[train], y_arr[train])
        pred["all_labels"][test] = _positive_proba(model, X_arr[test])

    index = getattr(X, "index", None)
    predictions = pd.DataFrame(
        pred, index=index if isinstance(index, pd.Index) else None
    )
    summary = {}
    rates = {}
    for m in _MODELS:
        p = pred[m]
        column = {
            "mean_predicted_rejected": p[~ok].mean(),
            "mean_predicted_approved": p[ok].mean(),
            "auc_approved": roc_auc_score(y_arr[ok], p[ok])
            if len(np.unique(y_arr[ok])) == 2
            else np.nan,
            "auc_all": roc_auc_score(y_arr, p),
        }
        if sensitive_features is not None:
            rates[m] = selective_rates(
                y_arr,
                (p >= threshold).astype(int),
                observed=ok,
                sensitive_features=sensitive_features,
            )
            for scope in ("observed", "all"):
                fpr = rates[m][f"fpr_{scope}"]
                name = "approved" if scope == "observed" else "all"
                column[f"fpr_difference_{name}"] = fpr.max() - fpr.min()
        summary[m] = column
    table = pd.DataFrame(summary)
    table["truth"] = np.nan
    table.loc["mean_predicted_rejected", "truth"] = y_arr[~ok].mean()
    table.loc["mean_predicted_approved", "truth"] = y_arr[ok].mean()
    return SelectiveLabelsResult(
        predictions=predictions,
        summary=table.astype(float),
        rates=pd.concat(rates, names=["model"]) if rates else None,
    )
