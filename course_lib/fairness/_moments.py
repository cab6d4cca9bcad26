"""The constraints and objective of the reductions approach ("moments").

Agarwal et al. (2018) write a fairness constraint as linear constraints on
conditional moments of the predictions: for every event ``e`` (all rows, or
the rows with ``y = 0`` / ``y = 1``) and group ``a``,
``ratio * E[u | e, a] - E[u | e] <= eps`` and ``ratio * E[u | e] - E[u | e, a]
<= eps``, ``u`` the utility of a prediction. Names, parameters and arithmetic
follow ``fairlearn.reductions`` 0.15 (``DemographicParity``, ``EqualizedOdds``,
``TruePositiveRateParity``, ``FalsePositiveRateParity``, ``ErrorRateParity``,
``ErrorRate``); a moment loaded with data (:class:`LoadedParity`) keeps
(event, group) codes and counts instead of an ``n x K`` matrix, and computes
constraint values and cost weights with :func:`numpy.bincount`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from course_lib._checks import check_real
from course_lib.fairness._counting import group_codes

__all__ = [
    "DemographicParity",
    "EqualizedOdds",
    "ErrorRate",
    "ErrorRateParity",
    "FalsePositiveRateParity",
    "LoadedError",
    "LoadedParity",
    "TruePositiveRateParity",
    "UtilityParity",
]

_DEFAULT_DIFFERENCE_BOUND = 0.01
_INDEX_NAMES = ["sign", "event", "group_id"]


def _sorted_groups(sensitive_features: Any, n: int) -> tuple[np.ndarray, list[Any]]:
    """Group code per row (groups sorted by value) and the group labels."""
    group, levels, level_codes = group_codes(sensitive_features, n)
    if level_codes.shape[1] == 1:
        labels = list(levels[0][level_codes[:, 0]])
        order = np.arange(len(labels))
    else:
        order = np.lexsort(level_codes.T[::-1])
        labels = [
            tuple(levels[j][level_codes[i, j]] for j in range(len(levels)))
            for i in order
        ]
    remap = np.empty(len(order), dtype=np.intp)
    remap[order] = np.arange(len(order))
    return remap[group], labels


class ErrorRate:
    r"""Misclassification error as a moment (the default objective).

    The error of :math:`h` is
    :math:`c_{FP} P[h(X)=1, Y=0] + c_{FN} P[h(X)=0, Y=1]`, with both costs 1 by
    default, as in ``fairlearn.reductions.ErrorRate``.

    Parameters
    ----------
    costs : dict or None, default None
        ``{"fp": c_fp, "fn": c_fn}``, non-negative and not both zero.

    Raises
    ------
    ValueError
        If ``costs`` is not such a dictionary.

    Examples
    --------
    >>> ErrorRate(costs={"fp": 2.0, "fn": 1.0}).fp_cost
    2.0
    """

    def __init__(self, *, costs: dict[str, float] | None = None) -> None:
        if costs is None:
            self.fp_cost, self.fn_cost = 1.0, 1.0
        elif (
            isinstance(costs, dict)
            and set(costs) == {"fp", "fn"}
            and costs["fp"] >= 0
            and costs["fn"] >= 0
            and costs["fp"] + costs["fn"] > 0
        ):
            self.fp_cost, self.fn_cost = float(costs["fp"]), float(costs["fn"])
        else:
            raise ValueError(
                "costs must be None or a dict with keys 'fp' and 'fn' holding "
                f"non-negative values that are not both zero; got {costs!r}"
            )
        self.costs = costs

    def __repr__(self) -> str:
        return f"ErrorRate(costs={self.costs!r})"

    def _load(self, y: np.ndarray) -> LoadedError:
        return LoadedError(y=y, fp=self.fp_cost, fn=self.fn_cost)


@dataclass
class LoadedError:
    """The error rate, with its costs, loaded on the training labels."""

    y: np.ndarray
    fp: float
    fn: float

    def gamma(self, pred: np.ndarray) -> float:
        diff = self.y - pred
        fn = np.sum(diff[diff > 0]) * self.fn
        fp = -np.sum(diff[diff < 0]) * self.fp
        return float((fn + fp) / len(self.y))

    def signed_weights(self) -> np.ndarray:
        return -self.fp + (self.fp + self.fn) * self.y


class UtilityParity:
    """Parity of a utility across groups within events (fairlearn's UtilityParity)."""

    short_name = "UtilityParity"

    def __init__(
        self,
        *,
        difference_bound: float | None = None,
        ratio_bound: float | None = None,
        ratio_bound_slack: float = 0.0,
    ) -> None:
        if difference_bound is not None and ratio_bound is not None:
            raise ValueError(
                "only one of difference_bound and ratio_bound may be set; got "
                f"difference_bound={difference_bound!r}, ratio_bound={ratio_bound!r}"
            )
        if ratio_bound is not None:
            check_real(ratio_bound, "ratio_bound", low=0.0, high=1.0, low_open=True)
            self.eps, self.ratio = float(ratio_bound_slack), float(ratio_bound)
        else:
            bound = (
                _DEFAULT_DIFFERENCE_BOUND
                if difference_bound is None
                else difference_bound
            )
            self.eps = check_real(bound, "difference_bound", low=0.0)
            self.ratio = 1.0
        self.difference_bound = difference_bound
        self.ratio_bound = ratio_bound
        self.ratio_bound_slack = ratio_bound_slack

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(difference_bound={self.difference_bound!r}, "
            f"ratio_bound={self.ratio_bound!r}, "
            f"ratio_bound_slack={self.ratio_bound_slack!r})"
        )

    # Subclasses define the event of every row and the utilities.
    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        raise NotImplementedError

    def _utilities(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(utility_diff, utility of predicting 0) per row."""
        return np.ones(len(y)), np.zeros(len(y))

    def default_objective(self) -> ErrorRate:
        """Return the default objective, :class:`ErrorRate`.

        Returns
        -------
        ErrorRate
            Misclassification error with unit costs.

        Examples
        --------
        >>> DemographicParity().default_objective()
        ErrorRate(costs=None)
        """
        return ErrorRate()

    def _load(self, y: np.ndarray, sensitive_features: Any) -> LoadedParity:
        n = len(y)
        group, group_labels = _sorted_groups(sensitive_features, n)
        event, event_labels = self._events(y)
        n_groups = len(group_labels)
        has = event >= 0
        flat = np.where(has, event * n_groups + group, -1)
        counts = np.bincount(flat[has], minlength=len(event_labels) * n_groups)
        observed = np.flatnonzero(counts)
        pair_of_flat = np.full(len(counts), -1, dtype=np.intp)
        pair_of_flat[observed] = np.arange(len(observed))
        pair = np.where(has, pair_of_flat[np.maximum(flat, 0)], -1)
        pair_event, pair_group = np.divmod(observed, n_groups)
        n_event = np.bincount(event[has], minlength=len(event_labels))
        tuples = [
            (event_labels[e], group_labels[g])
            for e, g in zip(pair_event, pair_group, strict=True)
        ]
        index = pd.MultiIndex.from_tuples(
            [("+", *t) for t in tuples] + [("-", *t) for t in tuples],
            names=_INDEX_NAMES,
        )
        # Basis of GridSearch: events and groups in order of first appearance,
        # the last group of each event left out (its constraint is redundant).
        first_event = np.unique(event[has], return_index=True)
        event_order = first_event[0][np.argsort(first_event[1], kind="stable")]
        first_group = np.unique(group, return_index=True)
        group_order = first_group[0][np.argsort(first_group[1], kind="stable")]
        basis = [
            pair_of_flat[e * n_groups + g]
            for e in event_order
            for g in group_order[:-1]
        ]
        ud, u0 = self._utilities(y)
        return LoadedParity(
            n=n,
            event=event,
            pair=pair,
            has=has,
            pair_event=pair_event,
            n_event=n_event.astype(np.float64),
            n_pair=counts[observed].astype(np.float64),
            ratio=self.ratio,
            eps=self.eps,
            utility_diff=ud,
            utility0=u0,
            index=index,
            basis=np.asarray(basis, dtype=np.intp),
        )


@dataclass
class LoadedParity:
    """A parity moment loaded with data: codes and counts, no n x K matrix."""

    n: int
    event: np.ndarray  # event code per row, -1 if the row is in no event
    pair: np.ndarray  # (event, group) pair code per row, -1 if none
    has: np.ndarray
    pair_event: np.ndarray  # event code of every pair
    n_event: np.ndarray
    n_pair: np.ndarray
    ratio: float
    eps: float
    utility_diff: np.ndarray
    utility0: np.ndarray
    index: pd.MultiIndex
    basis: np.ndarray  # pair code of every GridSearch basis direction (-1: none)

    @property
    def n_pairs(self) -> int:
        return len(self.n_pair)

    def gamma(self, pred: np.ndarray) -> np.ndarray:
        """Constraint values (+ block then - block) of 0/1 predictions."""
        u = self.utility_diff * pred + self.utility0
        k = self.n_pairs
        mean_pair = np.bincount(self.pair[self.has], u[self.has], k) / self.n_pair
        mean_event = (
            np.bincount(self.event[self.has], u[self.has], len(self.n_event))
            / self.n_event
        )[self.pair_event]
        return np.concatenate(
            [
                self.ratio * mean_pair - mean_event,
                self.ratio * mean_event - mean_pair,
            ]
        )

    def signed_weights(self, lam: np.ndarray) -> np.ndarray:
        k = self.n_pairs
        lp, lm = lam[:k], lam[k:]
        p_event = self.n_event / self.n
        p_pair = self.n_pair / self.n
        a = np.bincount(self.pair_event, lp - self.ratio * lm, len(self.n_event))
        a = a / p_event
        b = (lm - self.ratio * lp) / p_pair
        out = np.zeros(self.n)
        h = self.has
        out[h] = a[self.event[h]] + b[self.pair[h]]
        return self.utility_diff * out

    def bound(self) -> np.ndarray:
        return np.full(2 * self.n_pairs, self.eps)

    def project_lambda(self, lam: np.ndarray) -> np.ndarray:
        """fairlearn 0.15's projection: a weighted-median shift per event."""
        if self.ratio != 1.0:
            return lam
        k = self.n_pairs
        signed = lam[:k] - lam[k:]
        prob = self.n_pair / self.n_event[self.pair_event]  # P(g | e)
        out = signed.copy()
        for e in np.unique(self.pair_event):  # a handful of events
            sel = np.flatnonzero(self.pair_event == e)
            p = prob[sel]
            norm = signed[sel] / p
            order = np.argsort(norm, kind="stable")
            pos = np.searchsorted(np.cumsum(p[order]), p.sum() / 2)
            out[sel] = signed[sel] - p * norm[order[pos]]
        return np.concatenate([np.maximum(out, 0.0), np.maximum(-out, 0.0)])


_MOMENT_PARAMS = """
    Parameters
    ----------
    difference_bound : float or None, default None
        Allowed difference between a group's and the overall value. With
        neither bound set, a difference bound of 0.01 is used (as fairlearn).
    ratio_bound : float or None, default None
        Ratio bound in (0, 1]; a group's value must lie between
        ``ratio_bound`` times the overall value and its inverse.
    ratio_bound_slack : float, default 0.0
        Additive slack of the ratio constraints.

    Raises
    ------
    ValueError
        If both bounds are given, ``ratio_bound`` is not in (0, 1] or
        ``difference_bound`` is negative.
"""


class DemographicParity(UtilityParity):
    __doc__ = (
        r"""Demographic parity: :math:`P[h(X)=1 | A=a] = P[h(X)=1]` for every group.

    As ``fairlearn.reductions.DemographicParity``: one event (``"all"``), two
    constraints (``+`` and ``-``) per group.
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> DemographicParity(difference_bound=0.02).eps
    0.02
    """
    )

    short_name = "DemographicParity"

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        return np.zeros(len(y), dtype=np.intp), ["all"]


class ErrorRateParity(UtilityParity):
    __doc__ = (
        r"""Error rate parity: :math:`P[h(X) \ne Y | A=a] = P[h(X) \ne Y]`.

    As ``fairlearn.reductions.ErrorRateParity``.
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> ErrorRateParity().eps
    0.01
    """
    )

    short_name = "ErrorRateParity"

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        return np.zeros(len(y), dtype=np.intp), ["all"]

    def _utilities(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = y.astype(np.float64)
        return 1.0 - 2.0 * y, y


class _LabelEvents(UtilityParity):
    _labels: tuple[int, ...] = (0, 1)

    def _events(self, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        present = [v for v in self._labels if np.any(y == v)]
        code = np.full(len(y), -1, dtype=np.intp)
        for i, v in enumerate(present):
            code[y == v] = i
        return code, [f"label={v}" for v in present]


class EqualizedOdds(_LabelEvents):
    __doc__ = (
        r"""Equalized odds: :math:`P[h(X)=1 | A=a, Y=y] = P[h(X)=1 | Y=y]`.

    As ``fairlearn.reductions.EqualizedOdds``: events ``label=0`` and
    ``label=1``, two constraints per (event, group).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> EqualizedOdds(difference_bound=0.05).eps
    0.05
    """
    )

    short_name = "EqualizedOdds"


class TruePositiveRateParity(_LabelEvents):
    __doc__ = (
        r"""True positive rate parity ("equal opportunity").

    :math:`P[h(X)=1 | A=a, Y=1] = P[h(X)=1 | Y=1]`, as
    ``fairlearn.reductions.TruePositiveRateParity`` (event ``label=1``).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> TruePositiveRateParity().ratio
    1.0
    """
    )

    short_name = "TruePositiveRateParity"
    _labels = (1,)


class FalsePositiveRateParity(_LabelEvents):
    __doc__ = (
        r"""False positive rate parity.

    :math:`P[h(X)=1 | A=a, Y=0] = P[h(X)=1 | Y=0]`, as
    ``fairlearn.reductions.FalsePositiveRateParity`` (event ``label=0``).
"""
        + _MOMENT_PARAMS
        + """
    Examples
    --------
    >>> FalsePositiveRateParity(ratio_bound=0.8).ratio
    0.8
    """
    )

    short_name = "FalsePositiveRateParity"
    _labels = (0,)
