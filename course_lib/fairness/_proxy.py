"""Proxy detection: how well the other features predict a protected attribute.

Dropping a protected attribute from a model ("fairness through unawareness")
does not remove its information when other features act as proxies for it.
:func:`proxy_strength` measures the combined proxy signal as the
cross-validated ability of a classifier to recover the protected attribute
from ``X``; :func:`feature_proxy_scores` ranks single features by their mutual
information with, and AUC for, the protected attribute.

Conventions:

* ``sensitive_feature`` is one attribute: a column name of ``X`` (that column
  is then taken out of ``X``) or a 1-D array-like aligned with ``X`` by
  position. It must have at least two observed values and no missing values;
  several values give a multi-class problem (AUC one-vs-rest, macro-averaged).
* Feature types: numeric and boolean columns are numeric; ``category``,
  ``object`` and string columns are categorical (missing values form their own
  category). Other dtypes (datetimes, timedeltas) are rejected: convert them
  first.
* Chance level is 0.5 for the AUC and ``1 / n_groups`` for the balanced
  accuracy; both are reported next to the scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from course_lib._checks import check_int
from course_lib.fairness._counting import factorize

__all__ = ["default_proxy_estimator", "feature_proxy_scores", "proxy_strength"]

_N_BINS = 10  # quantile bins for numeric features in feature_proxy_scores


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        frame = X.reset_index(drop=True)
    else:
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise ValueError(
                f"X must be a 2-D array-like or DataFrame; got shape {arr.shape}"
            )
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
    if frame.shape[0] == 0:
        raise ValueError("X must have at least one row; got 0")
    return frame


def _split_sensitive(
    X: Any, sensitive_feature: Any
) -> tuple[pd.DataFrame, np.ndarray, list[Any]]:
    """Return (features, group code per row, group values)."""
    frame = _as_frame(X)
    if isinstance(sensitive_feature, str):
        if sensitive_feature not in frame.columns:
            raise ValueError(
                "sensitive_feature must be a column of X or an array-like; got "
                f"the name {sensitive_feature!r}, which is not among the "
                f"columns {list(frame.columns)[:8]}"
            )
        values = frame[sensitive_feature]
        frame = frame.drop(columns=sensitive_feature)
    else:
        if isinstance(sensitive_feature, pd.DataFrame):
            raise ValueError(
                "sensitive_feature must be 1-D (one attribute); got a DataFrame "
                f"of shape {sensitive_feature.shape}"
            )
        values = (
            sensitive_feature
            if isinstance(sensitive_feature, pd.Series)
            else np.asarray(sensitive_feature)
        )
        if np.ndim(values) != 1:
            raise ValueError(
                "sensitive_feature must be 1-D (one attribute); got shape "
                f"{np.shape(values)}"
            )
        if len(values) != len(frame):
            raise ValueError(
                "sensitive_feature must have one value per row of X "
                f"({len(frame)}); got {len(values)}"
            )
    if frame.shape[1] == 0:
        raise ValueError("X must have at least one feature besides the sensitive one")
    codes, uniques = factorize(values, "sensitive_feature")
    n_missing = int(np.count_nonzero(codes < 0))
    if n_missing:
        raise ValueError(
            "sensitive_feature must not contain missing values; got "
            f"{n_missing} missing of {len(codes)}. Drop those rows first."
        )
    if len(uniques) < 2:
        raise ValueError(
            "sensitive_feature must take at least two values; got "
            f"{len(uniques)}: {list(uniques)}"
        )
    return frame, codes.astype(np.intp), list(uniques)


def _column_kinds(frame: pd.DataFrame) -> tuple[list[Any], list[Any]]:
    """Split the columns into (numeric, categorical) or raise on other dtypes."""
    numeric, categorical = [], []
    for name in frame.columns:
        dtype = frame[name].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            numeric.append(name)
        elif (
            isinstance(dtype, pd.CategoricalDtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
        ):
            categorical.append(name)
        else:
            raise TypeError(
                f"X column {name!r} must be numeric, boolean or categorical "
                f"(category, object or string dtype); got {dtype}. Convert it "
                "first, e.g. a date to a number of days."
            )
    return numeric, categorical


def default_proxy_estimator(X: pd.DataFrame) -> BaseEstimator:
    """The default model of :func:`proxy_strength` for the columns of ``X``.

    Numeric columns are median-imputed and standardised, categorical ones
    one-hot encoded (missing values as their own category, categories unseen
    in a training fold ignored); then a logistic regression
    (``max_iter=1000``).

    Parameters
    ----------
    X : pandas.DataFrame
        The features; only the column names and dtypes are used.

    Returns
    -------
    sklearn.pipeline.Pipeline
        An unfitted pipeline.

    Raises
    ------
    TypeError
        If a column is neither numeric, boolean nor categorical.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"age": [30, 40], "job": ["a", "b"]})
    >>> [name for name, _ in default_proxy_estimator(X).steps]
    ['columntransformer', 'logisticregression']
    """
    numeric, categorical = _column_kinds(X)
    encode = ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            # Missing values (NaN/None) become a category of their own.
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
    return make_pipeline(encode, LogisticRegression(max_iter=1000))


def proxy_strength(
    X: Any,
    sensitive_feature: Any,
    *,
    estimator: BaseEstimator | None = None,
    cv: int = 5,
    random_state: Any = None,
) -> dict[str, Any]:
    """Cross-validated accuracy of predicting the protected attribute from X.

    Parameters
    ----------
    X : DataFrame or 2-D array-like of shape (n, p)
        Candidate proxy features (rows aligned with ``sensitive_feature``).
    sensitive_feature : str or array-like of shape (n,)
        The protected attribute: a column name of ``X`` (that column is
        removed from the features) or the values themselves. At least two
        distinct values, no missing values.
    estimator : scikit-learn classifier, optional
        Model with ``predict_proba``; cloned for each fold. Default
        :func:`default_proxy_estimator` (one-hot + logistic regression).
    cv : int, default 5
        Number of stratified folds (at least 2; every group needs at least
        ``cv`` rows).
    random_state : int, numpy.random.RandomState or None, default None
        Shuffling of the folds (``StratifiedKFold(shuffle=True)``).

    Returns
    -------
    dict
        ``auc`` and ``auc_std`` (ROC AUC over folds; one-vs-rest macro average
        for more than two groups), ``balanced_accuracy`` and
        ``balanced_accuracy_std``, ``chance_auc`` (0.5),
        ``chance_balanced_accuracy`` (``1 / n_groups``), ``n_groups``,
        ``groups`` (the values, sorted), ``n_features`` and ``cv``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or empty, ``sensitive_feature`` is not 1-D, has
        the wrong length, missing values or a single value, names no column
        of ``X``, ``cv`` is not an integer of at least 2, or a group has fewer
        than ``cv`` rows.
    TypeError
        If a column of ``X`` is neither numeric, boolean nor categorical (with
        the default estimator), or ``estimator`` has no ``predict_proba``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> group = rng.integers(0, 2, 400)
    >>> X = np.column_stack([group + rng.normal(0, 0.5, 400), rng.normal(size=400)])
    >>> result = proxy_strength(X, group, random_state=0)
    >>> bool(result["auc"] > 0.9), result["chance_auc"]
    (True, 0.5)
    """
    frame, codes, groups = _split_sensitive(X, sensitive_feature)
    cv = check_int(cv, "cv", low=2)
    counts = np.bincount(codes, minlength=len(groups))
    if counts.min() < cv:
        small = groups[int(np.argmin(counts))]
        raise ValueError(
            f"every group of sensitive_feature must have at least cv={cv} rows "
            f"for stratified folds; got {int(counts.min())} for {small!r}. "
            "Use a smaller cv or merge small groups."
        )
    if estimator is None:
        model = default_proxy_estimator(frame)
    else:
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                "estimator must be a classifier with predict_proba; got "
                f"{type(estimator).__name__}"
            )
        model = clone(estimator)
    binary = len(groups) == 2
    scoring = {
        "auc": "roc_auc" if binary else "roc_auc_ovr",
        "balanced_accuracy": "balanced_accuracy",
    }
    folds = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=random_state)
    scores = cross_validate(
        model, frame, codes, cv=folds, scoring=scoring, error_score="raise"
    )
    auc = scores["test_auc"]
    bacc = scores["test_balanced_accuracy"]
    return {
        "auc": float(auc.mean()),
        "auc_std": float(auc.std()),
        "balanced_accuracy": float(bacc.mean()),
        "balanced_accuracy_std": float(bacc.std()),
        "chance_auc": 0.5,
        "chance_balanced_accuracy": 1.0 / len(groups),
        "n_groups": len(groups),
        "groups": groups,
        "n_features": frame.shape[1],
        "cv": int(cv),
    }


def _feature_codes(values: pd.Series, numeric: bool) -> np.ndarray:
    """Discrete codes of one feature (numeric: up to _N_BINS quantile bins).

    Missing values get their own code.
    """
    if numeric:
        x = values.to_numpy(dtype=float, na_value=np.nan)
        finite = ~np.isnan(x)
        uniques = np.unique(x[finite])
        if len(uniques) > _N_BINS:
            # Interior deciles; bin i holds edges[i - 1] < x <= edges[i], so a
            # spike (say 90% zeros) stays one bin and the rest is kept apart.
            inner = np.linspace(0, 1, _N_BINS + 1)[1:-1]
            edges = np.unique(np.quantile(x[finite], inner))
            codes = np.searchsorted(edges, x, side="left")
        else:
            codes = np.searchsorted(uniques, x)
        return np.where(finite, codes, codes.max(initial=0) + 1).astype(np.intp)
    codes, _ = factorize(values, f"X column {values.name!r}")
    return np.where(codes < 0, codes.max(initial=0) + 1, codes).astype(np.intp)


def feature_proxy_scores(X: Any, sensitive_feature: Any) -> pd.DataFrame:
    """Rank single features by how much they reveal the protected attribute.

    Each feature is made discrete (categorical values as they are, missing
    values as one more value, numeric columns with more than 10 distinct
    values cut into 10 quantile bins) and compared with the protected
    attribute ``A`` through its contingency table.

    Parameters
    ----------
    X : DataFrame or 2-D array-like of shape (n, p)
        Candidate proxy features.
    sensitive_feature : str or array-like of shape (n,)
        The protected attribute: a column name of ``X`` (then removed from the
        features) or the values themselves; at least two distinct values and
        no missing values.

    Returns
    -------
    pandas.DataFrame
        One row per feature (index named ``feature``), sorted by
        ``mutual_information``, largest first. Columns:
        ``mutual_information`` (plug-in estimate, in nats),
        ``normalized_mi`` (``MI / H(A)``: share of the entropy of ``A``
        explained, from 0 to 1), ``auc`` (in-sample ROC AUC of scoring each
        row by ``P(A = a | feature value)``; one-vs-rest macro average for more
        than two groups; 0.5 means no signal) and ``n_values`` (distinct
        values after discretisation). Plug-in estimates are biased upwards
        for features with many values and few rows.

    Raises
    ------
    ValueError
        As :func:`proxy_strength` (shape, length, missing or single-valued
        ``sensitive_feature``).
    TypeError
        If a column of ``X`` is neither numeric, boolean nor categorical.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"title": ["Mr", "Mrs", "Mr", "Ms"],
    ...                   "noise": [1, 1, 2, 2],
    ...                   "sex": ["m", "f", "m", "f"]})
    >>> scores = feature_proxy_scores(X, "sex")
    >>> scores.index.tolist()
    ['title', 'noise']
    >>> scores[["normalized_mi", "auc"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
             normalized_mi  auc
    feature
    title              1.0  1.0
    noise              0.0  0.5
    """
    frame, a, groups = _split_sensitive(X, sensitive_feature)
    numeric, _ = _column_kinds(frame)
    n, k = len(a), len(groups)
    p_a = np.bincount(a, minlength=k) / n
    h_a = float(-(p_a * np.log(p_a)).sum())
    rows = []
    for name in frame.columns:  # a loop over columns, not rows
        c = _feature_codes(frame[name], name in numeric)
        m = int(c.max()) + 1
        table = np.bincount(c * k + a, minlength=m * k).reshape(m, k) / n
        p_c = table.sum(axis=1, keepdims=True)
        outer = p_c * p_a
        nz = table > 0
        mi = float((table[nz] * np.log(table[nz] / outer[nz])).sum())
        cond = np.divide(table, p_c, out=np.zeros_like(table), where=p_c > 0)
        score = cond[c]
        if k == 2:
            auc = roc_auc_score(a, score[:, 1])
        else:
            auc = roc_auc_score(a, score, multi_class="ovr", average="macro")
        rows.append(
            {
                "feature": name,
                "mutual_information": max(mi, 0.0),
                "normalized_mi": max(mi, 0.0) / h_a,
                "auc": float(auc),
                "n_values": int(np.count_nonzero(p_c)),
            }
        )
    out = pd.DataFrame(rows).set_index("feature")
    return out.sort_values("mutual_information", ascending=False, kind="stable")
