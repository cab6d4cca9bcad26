"""What a label measures: COMPAS's outcome columns and unrecorded offences.

COMPAS's usual label, ``two_year_recid``, records a new *charge* within two
years of screening, not a new offence. :func:`compas_labels` builds
alternatives from the same data (a violent charge within the horizon, and a
split of the first new charge into "discretionary" charges, whose recording
depends on where police look, and the rest; :func:`charge_categories`).
:func:`missed_offence_rates` asks what a classifier's error rates would be if
a share of each group's offences never led to a charge.

The "discretionary" category is this course's construction, not a published
classification: drug *possession* (not sale, delivery or trafficking), licence
and suspended-licence offences, and resisting an officer without violence,
matched on the description of the first new charge (``r_charge_desc``) by
the regular expressions in :data:`DISCRETIONARY_PATTERNS`. Print the matched
descriptions to audit it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib.fairness import group_metrics
from course_lib.pipeline._validation import check_int, check_real

__all__ = [
    "DISCRETIONARY_PATTERNS",
    "charge_categories",
    "compas_labels",
    "missed_offence_rates",
]

#: kind of charge -> (pattern a description must match, pattern it must not
#: match); case-insensitive regular expressions over ``r_charge_desc``.
#: Word boundaries (``\b``) keep "Lic" from matching "Public", "Police" or
#: "Solicit"; the exclusions keep out possession of things other than drugs
#: and possession with intent to sell or deliver ("W/I/D/S").
DISCRETIONARY_PATTERNS: dict[str, tuple[str, str]] = {
    "drug possession": (
        r"^Poss|^Pos |Possess|Paraphernalia",
        r"Firearm|F/Arm|Weapon|Wep|Stolen|Burglary|Intent|W/I|Sel|Deliver|Traffick"
        r"|Counterfeit|Countrfeit|Credit Card|Payment|Shoplift|Issue Id|Field Box"
        r"|Handcuff|Alcohol|\bDL\b",
    ),
    "licence": (
        r"\bLic|\bSusp|Revoked|\bRevk|\bDWLS",
        r"Influence|DUI|Reckless|Theft|Fraud|Forge|Alcoh|Establishm",
    ),
    "resisting without violence": (r"Resist/Obstruct W/O Viol", r"(?!)"),
}

_CATEGORIES = ("none", "discretionary", "other")


def _require(compas: Any, columns: tuple[str, ...]) -> None:
    if not isinstance(compas, pd.DataFrame):
        raise TypeError(
            f"compas must be a DataFrame (load_compas()); got {type(compas).__name__}"
        )
    missing = [c for c in columns if c not in compas.columns]
    if missing:
        raise KeyError(f"compas must have the column {missing[0]!r} (see load_compas)")


def _binary_column(compas: pd.DataFrame, name: str) -> np.ndarray:
    values = compas[name]
    ok = values.notna().all() and values.isin([0, 1]).all()
    if not ok:
        bad = values[~values.isin([0, 1])].iloc[0]
        raise ValueError(f"{name} must be 0 or 1 in every row; got {bad!r}")
    return values.to_numpy(dtype=int)


def _is_discretionary(descriptions: pd.Series) -> np.ndarray:
    text = descriptions.fillna("").astype(str)
    hit = np.zeros(len(text), dtype=bool)
    for include, exclude in DISCRETIONARY_PATTERNS.values():
        hit |= (
            text.str.contains(include, case=False, regex=True)
            & ~text.str.contains(exclude, case=False, regex=True)
        ).to_numpy()
    return hit


def charge_categories(compas: pd.DataFrame) -> pd.Series:
    """Classify each defendant's first new charge: none, discretionary, other.

    ``"none"`` where ``two_year_recid`` is 0; otherwise ``"discretionary"``
    if ``r_charge_desc`` matches one of :data:`DISCRETIONARY_PATTERNS` (drug
    possession, a licence offence, resisting without violence) and
    ``"other"`` if not (including the few charges with no description).
    ``r_charge_desc`` describes the first new charge, which for about 1.5%
    of the labelled rows falls after the two years.

    Parameters
    ----------
    compas : pandas.DataFrame
        Rows of :func:`course_lib.datasets.load_compas` (any subset), with
        ``two_year_recid`` and ``r_charge_desc``.

    Returns
    -------
    pandas.Series
        Categorical with categories ``none``, ``discretionary``, ``other``;
        same index as ``compas``; named ``charge_category``.

    Raises
    ------
    KeyError
        Naming a missing column.
    ValueError
        If ``two_year_recid`` is not 0/1.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "two_year_recid": [0, 1, 1, 1],
    ...     "r_charge_desc": [None, "Possession of Cocaine",
    ...                       "Poss Cocaine/Intent To Del/Sel", "Battery"]})
    >>> charge_categories(frame).tolist()
    ['none', 'discretionary', 'other', 'other']
    """
    _require(compas, ("two_year_recid", "r_charge_desc"))
    recid = _binary_column(compas, "two_year_recid") == 1
    disc = _is_discretionary(compas["r_charge_desc"])
    codes = np.where(recid, np.where(disc, 1, 2), 0)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(_CATEGORIES)),
        index=compas.index,
        name="charge_category",
    )


def compas_labels(compas: pd.DataFrame, *, horizon_days: int = 730) -> pd.DataFrame:
    """Alternative outcome labels for COMPAS, one 0/1 column each.

    * ``any_charge``: ProPublica's ``two_year_recid`` (a new charge within
      two years; ``horizon_days`` does not change it);
    * ``violent_charge``: ``is_violent_recid`` is 1 and ``vr_offense_date``
      is at most ``horizon_days`` days after ``compas_screening_date``;
    * ``discretionary_charge`` and ``other_charge``: ``any_charge`` split by
      :func:`charge_categories`.

    With the default horizon every violent charge is also an ``any_charge``
    (on the 6,172 ProPublica rows: 600 violent, 2,809 any).

    Parameters
    ----------
    compas : pandas.DataFrame
        Rows of :func:`course_lib.datasets.load_compas`.
    horizon_days : int, default 730
        Window for ``violent_charge``, in days (>= 1).

    Returns
    -------
    pandas.DataFrame
        Integer 0/1 columns ``any_charge``, ``violent_charge``,
        ``discretionary_charge``, ``other_charge``; same index as ``compas``.

    Raises
    ------
    KeyError
        Naming a missing column.
    ValueError
        If ``horizon_days < 1`` or a 0/1 column holds another value.
    TypeError
        If ``horizon_days`` is not an integer.

    Examples
    --------
    >>> from course_lib.datasets import load_compas
    >>> labels = compas_labels(load_compas())
    >>> labels.sum().to_dict()
    {'any_charge': 2809, 'violent_charge': 600, 'discretionary_charge': 1282, 'other_charge': 1527}
    """
    horizon = check_int(horizon_days, "horizon_days", low=1)
    _require(
        compas,
        (
            "two_year_recid",
            "r_charge_desc",
            "is_violent_recid",
            "vr_offense_date",
            "compas_screening_date",
        ),
    )
    category = charge_categories(compas)
    violent = _binary_column(compas, "is_violent_recid") == 1
    days = (compas["vr_offense_date"] - compas["compas_screening_date"]).dt.days
    within = (days <= horizon).to_numpy(dtype=bool)  # NaT compares False
    return pd.DataFrame(
        {
            "any_charge": _binary_column(compas, "two_year_recid"),
            "violent_charge": (violent & within).astype(int),
            "discretionary_charge": (category == "discretionary").to_numpy(dtype=int),
            "other_charge": (category == "other").to_numpy(dtype=int),
        },
        index=compas.index,
    )


def missed_offence_rates(
    y_observed: ArrayLike,
    y_pred: ArrayLike,
    *,
    sensitive_features: ArrayLike,
    miss_rate: Mapping[Hashable, float],
) -> pd.DataFrame:
    """Group error rates if a share of each group's offences were never recorded.

    A sensitivity analysis in the spirit of Fogliato, G'Sell and
    Chouldechova (2020), simplified: in group ``g`` a share ``m_g`` of the
    people who reoffended were never charged (one-sided noise: no false
    records), and the classifier flags these hidden reoffenders as often as
    the recorded ones (its TPR). With ``P`` recorded positives, ``h = m/(1-m)
    · P`` hidden reoffenders move from the negatives to the positives, so
    the TPR is unchanged and, with ``N`` negatives, ``FP`` false positives
    and ``F`` flagged,

    ``base = (P + h)/n``, ``FPR = (FP - h·TPR)/(N - h)``,
    ``PPV = (TP + h·TPR)/F``.

    Parameters
    ----------
    y_observed : array-like of shape (n,)
        The recorded label (0/1), e.g. ``two_year_recid``.
    y_pred : array-like of shape (n,)
        The classifier's decision (0/1), e.g. ``decile_score >= 5``.
    sensitive_features : array-like of shape (n,)
        Group of each row.
    miss_rate : mapping
        Group -> share of its offences never recorded, in [0, 1); one entry
        for every group and no other.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted, as :func:`course_lib.fairness.group_metrics`):
        ``count``, ``miss_rate``, and ``base_rate``, ``tpr``, ``fpr``,
        ``fnr``, ``ppv`` for the true-offence label.

    Raises
    ------
    ValueError
        If a group lacks recorded positives or negatives, ``miss_rate``
        misses a group or names an unknown one, a miss rate is outside
        [0, 1), or a miss rate hides more reoffenders than the group's
        negatives can hold (more hidden flagged reoffenders than false
        positives, or hidden unflagged ones than true negatives).
    TypeError
        If ``miss_rate`` is not a mapping or a value is not a real number.

    Examples
    --------
    >>> table = missed_offence_rates(
    ...     [1, 1, 0, 0, 0, 0], [1, 0, 1, 1, 0, 0],
    ...     sensitive_features=["a"] * 6, miss_rate={"a": 0.5})
    >>> table[["base_rate", "tpr", "fpr", "ppv"]].round(3).to_dict("records")
    [{'base_rate': 0.667, 'tpr': 0.5, 'fpr': 0.5, 'ppv': 0.667}]
    """
    observed = group_metrics(y_observed, y_pred, sensitive_features=sensitive_features)
    if not isinstance(miss_rate, Mapping):
        raise TypeError(
            f"miss_rate must be a mapping from group to rate; got {type(miss_rate).__name__}"
        )
    groups = list(observed.index)
    missing = [g for g in groups if g not in miss_rate]
    if missing:
        raise ValueError(
            f"miss_rate must give a rate for every group {groups}; got none for {missing[0]!r}"
        )
    unknown = [g for g in miss_rate if g not in groups]
    if unknown:
        raise ValueError(
            f"miss_rate must name only groups in the data {groups}; got {unknown[0]!r}"
        )
    rows = []
    for g, row in observed.iterrows():
        m = check_real(
            miss_rate[g], f"miss_rate[{g!r}]", low=0.0, high=1.0, high_open=True
        )
        n = int(row["count"])
        pos = round(n * row["base_rate"])
        neg = n - pos
        if pos == 0 or neg == 0:
            raise ValueError(
                "y_observed must have positives and negatives in every group; "
                f"got {pos} positives and {neg} negatives in group {g!r}"
            )
        tpr = float(row["tpr"])
        flagged = round(n * row["selection_rate"])
        fp = round(neg * row["fpr"])
        tn = neg - fp
        hidden = m / (1 - m) * pos
        # The largest number of hidden reoffenders the negatives can hold.
        room = min(
            fp / tpr if tpr > 0 else np.inf,
            tn / (1 - tpr) if tpr < 1 else np.inf,
        )
        if hidden > room * (1 + 1e-12) or hidden >= neg:
            largest = room / (pos + room) if np.isfinite(room) else 1.0
            raise ValueError(
                f"miss_rate[{g!r}] must leave negatives in group {g!r} (at most "
                f"{largest:.4g} here: its false positives and true negatives "
                f"cannot hide more reoffenders); got {m!r}"
            )
        rows.append(
            {
                "count": n,
                "miss_rate": m,
                "base_rate": row["base_rate"] + hidden / n,
                "tpr": tpr,
                "fpr": (row["fpr"] - hidden / neg * tpr) / (1 - hidden / neg),
                "fnr": row["fnr"],
                "ppv": row["ppv"] + hidden * tpr / flagged if flagged else float("nan"),
            }
        )
    return pd.DataFrame(rows, index=observed.index)
