"""Delayed impact of fair lending: Liu et al.'s one-step model on the FICO data.

Liu, Dean, Rolf, Simchowitz and Hardt ("Delayed impact of fair machine
learning", ICML 2018) let a bank lend to the members of each group whose
score is above a group threshold (randomising in the boundary cell). A repaid
loan raises the borrower's score by ``gain``, a default lowers it by
``loss``; nobody else moves. The *delayed impact* of a policy on a group is
the mean change of the group's score per member, ``Δμ = Σ pmf · τ · Δ``,
where ``τ`` is the share of each score cell that gets a loan and ``Δ`` the
expected score change of a borrower in that cell.

As a function of the group's selection rate ``β``, ``Δμ`` is the *outcome
curve*: piecewise linear, rising while the bank lends to cells whose expected
change is positive, falling afterwards. :func:`lending_policies` finds the
bank's three policies of the paper (maximum utility, demographic parity,
equal opportunity) exactly, by evaluating the bank's utility at every
breakpoint of its piecewise-linear objective, and classifies their impact
with :func:`impact_regime`.

The scores are mapped from TransRisk (0-100) to the FICO range 300-850 as in
the authors' code (``convert_percentiles`` in ``fico.py`` of
``lydiatliu/delayedimpact``): piecewise linearly through the cumulative
shares of the FICO score bands, :data:`FICO_PERCENTILE_BANDS`. Score changes
are clipped to [300, 850]; ``clip="expected"`` clips the expected new score
(the authors' code), ``clip="outcome"`` clips each outcome (what a simulation
of individual borrowers, :func:`simulate_score_changes`, produces).

Everywhere a group's distribution is a probability mass function over score
cells in *increasing* order of score, and "lending to the top ``β``" means
from the highest cell down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib._checks import (
    as_float_1d,
    check_choice,
    check_int,
    check_real,
    check_rng,
)

__all__ = [
    "FICO_PERCENTILE_BANDS",
    "LendingPopulation",
    "acceptance_from_rate",
    "expected_score_change",
    "fico_population",
    "harm_threshold",
    "impact_regime",
    "lending_policies",
    "outcome_curve",
    "outcome_peak",
    "simulate_score_changes",
    "transrisk_to_fico",
    "utility_curve",
]

#: (lower edge of the 50-point FICO band, percent of people in it), from
#: ``convert_percentiles`` in Liu et al.'s ``fico.py``. The shares sum to 100.
FICO_PERCENTILE_BANDS: tuple[tuple[float, float], ...] = (
    (300.0, 2.1),
    (350.0, 4.2),
    (400.0, 5.4),
    (450.0, 6.5),
    (500.0, 7.9),
    (550.0, 9.6),
    (600.0, 12.0),
    (650.0, 13.8),
    (700.0, 17.0),
    (750.0, 15.8),
    (800.0, 5.7),
)
_FICO_BOUNDS = (300.0, 850.0)
_PMF_TOL = 1e-6
_SNAP = 1e-12
_CLIPS = ("expected", "outcome")
_POLICIES = ("MaxUtil", "DemParity", "EqOpt")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _check_pmf(pmf: Any, name: str = "pmf") -> np.ndarray:
    arr = as_float_1d(pmf, name)
    if arr.min() < 0:
        raise ValueError(f"{name} must be non-negative; got a minimum of {arr.min():g}")
    total = arr.sum()
    if abs(total - 1.0) > _PMF_TOL:
        raise ValueError(f"{name} must sum to 1; got {total:.10g}")
    return arr


def _check_same_length(arr: np.ndarray, other: np.ndarray, name: str, ref: str) -> None:
    if arr.shape != other.shape:
        raise ValueError(
            f"{name} must have one value per cell of {ref} ({len(other)}); "
            f"got {len(arr)}"
        )


def _check_probabilities(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.min() < 0 or arr.max() > 1:
        bad = arr[(arr < 0) | (arr > 1)][0]
        raise ValueError(f"{name} must be probabilities in [0, 1]; got {bad:g}")
    return arr


def _check_rates(rates: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    try:
        arr = np.asarray(rates, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"rates must be real numbers; got {err}") from err
    flat = arr.ravel()
    if (
        not np.all(np.isfinite(flat))
        or flat.min(initial=0) < 0
        or flat.max(initial=0) > 1
    ):
        bad = flat[~((flat >= 0) & (flat <= 1))][0]
        raise ValueError(f"rates must be selection rates in [0, 1]; got {float(bad)!r}")
    return flat, arr.shape


def _check_utility_ratio(utility_ratio: Any) -> float:
    return check_real(utility_ratio, "utility_ratio", high=0.0, high_open=True)


def _check_bounds(bounds: Any) -> tuple[float, float]:
    if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2):
        raise TypeError(f"bounds must be a pair (low, high); got {bounds!r}")
    lo = check_real(bounds[0], "bounds[0]")
    hi = check_real(bounds[1], "bounds[1]")
    if not lo < hi:
        raise ValueError(f"bounds must be increasing (low < high); got {bounds!r}")
    return lo, hi


# --------------------------------------------------------------------------
# Scores and the population
# --------------------------------------------------------------------------


def transrisk_to_fico(scores: ArrayLike) -> np.ndarray:
    """Map TransRisk scores (0-100) to the FICO range 300-850.

    TransRisk is percentile-like; Liu et al.'s code maps it piecewise
    linearly so that the share of people in each 50-point FICO band is the
    one in :data:`FICO_PERCENTILE_BANDS` (cumulative shares 0, 2.1, 6.3, ...,
    100 go to 300, 350, 400, ..., 850).

    Parameters
    ----------
    scores : array-like
        TransRisk scores in [0, 100], any shape.

    Returns
    -------
    numpy.ndarray
        FICO-scale scores, same shape, as floats.

    Raises
    ------
    ValueError
        If a score is outside [0, 100] or not finite.

    Examples
    --------
    >>> transrisk_to_fico([0, 2.1, 50, 100]).round(3).tolist()
    [300.0, 350.0, 658.333, 850.0]
    """
    arr = np.asarray(scores, dtype=float)
    flat = arr.ravel()
    bad = ~(np.isfinite(flat) & (flat >= 0) & (flat <= 100))
    if bad.any():
        raise ValueError(
            f"scores must be TransRisk scores in [0, 100]; got {flat[bad][0]!r}"
        )
    edges = np.array([edge for edge, _ in FICO_PERCENTILE_BANDS] + [850.0])
    cumulative = np.concatenate(
        [[0.0], np.cumsum([p for _, p in FICO_PERCENTILE_BANDS])]
    )
    cumulative[-1] = 100.0  # the shares sum to 100 up to rounding
    return np.interp(arr, cumulative, edges)


@dataclass(frozen=True)
class LendingPopulation:
    """Groups of applicants: score distribution and repayment probability.

    Attributes
    ----------
    scores : numpy.ndarray of shape (n_cells,)
        Each score cell's score on the scale where gains and losses apply
        (300-850 for FICO), strictly increasing.
    pmf : pandas.DataFrame of shape (n_cells, n_groups)
        Share of each group in each cell; indexed by the data's own score
        (TransRisk for FICO), one column per group, each summing to 1.
    repay : pandas.DataFrame
        Same shape and labels: probability of repaying a loan given the cell
        and the group.
    weights : pandas.Series
        Each group's share of the population (indexed by group), summing to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> pop = LendingPopulation(
    ...     scores=np.array([500.0, 700.0]),
    ...     pmf=pd.DataFrame({"A": [0.5, 0.5], "B": [0.2, 0.8]}),
    ...     repay=pd.DataFrame({"A": [0.6, 0.9], "B": [0.6, 0.9]}),
    ...     weights=pd.Series({"A": 0.3, "B": 0.7}))
    >>> pop.groups
    ['A', 'B']
    """

    scores: np.ndarray
    pmf: pd.DataFrame
    repay: pd.DataFrame
    weights: pd.Series

    def __post_init__(self) -> None:
        scores = as_float_1d(self.scores, "scores")
        if np.any(np.diff(scores) <= 0):
            raise ValueError("scores must be strictly increasing; got a decrease")
        for name in ("pmf", "repay"):
            frame = getattr(self, name)
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(
                    f"{name} must be a DataFrame; got {type(frame).__name__}"
                )
            if frame.shape[0] != len(scores) or frame.shape[1] == 0:
                raise ValueError(
                    f"{name} must have one row per score ({len(scores)}) and at "
                    f"least one group column; got shape {frame.shape}"
                )
        if not (
            self.pmf.columns.equals(self.repay.columns)
            and self.pmf.index.equals(self.repay.index)
        ):
            raise ValueError("repay must have the same index and columns as pmf")
        for group in self.pmf.columns:
            _check_pmf(self.pmf[group].to_numpy(), f"pmf[{group!r}]")
            _check_probabilities(
                as_float_1d(self.repay[group].to_numpy(), f"repay[{group!r}]"),
                f"repay[{group!r}]",
            )
        if not isinstance(self.weights, pd.Series):
            raise TypeError(
                f"weights must be a Series; got {type(self.weights).__name__}"
            )
        if list(self.weights.index) != list(self.pmf.columns):
            raise ValueError(
                "weights must be indexed by the groups of pmf "
                f"{list(self.pmf.columns)}; got {list(self.weights.index)}"
            )
        w = as_float_1d(self.weights.to_numpy(), "weights")
        if w.min() < 0 or abs(w.sum() - 1) > _PMF_TOL:
            raise ValueError(
                f"weights must be non-negative and sum to 1; got {w.tolist()}"
            )
        object.__setattr__(self, "scores", scores)

    @property
    def groups(self) -> list[Any]:
        """The groups, in column order."""
        return list(self.pmf.columns)


def fico_population(
    fico: pd.DataFrame | None = None, *, groups: Sequence[str] = ("Black", "White")
) -> LendingPopulation:
    """Liu et al.'s population from the FICO data (TransRisk, 2003).

    Per group, the mass of each of the 198 TransRisk cells is the difference
    of the cumulative distribution; the repayment probability is
    ``non_default_rate``; the group weights are the group sizes over the
    chosen groups' total (Black 18,274 and White 133,165 give 0.12067 and
    0.87933); the scores are mapped to 300-850 by :func:`transrisk_to_fico`.

    Parameters
    ----------
    fico : pandas.DataFrame, optional
        The frame of :func:`course_lib.datasets.load_fico` (loaded if None).
    groups : sequence of str, default ("Black", "White")
        The groups to keep, in this order (the paper's two).

    Returns
    -------
    LendingPopulation
        ``pmf`` and ``repay`` indexed by TransRisk score, one column per group.

    Raises
    ------
    ValueError
        If a group is not in the data, is repeated, or ``groups`` is empty.
    KeyError
        If a column of ``load_fico`` is missing.

    Examples
    --------
    >>> pop = fico_population()
    >>> pop.weights.round(5).to_dict()
    {'Black': 0.12067, 'White': 0.87933}
    >>> len(pop.scores), float(pop.scores[0]), float(pop.scores[-1])
    (198, 300.0, 850.0)
    """
    if fico is None:
        from course_lib.datasets import load_fico

        fico = load_fico()
    missing = [
        c
        for c in ("score", "group", "cdf", "non_default_rate", "group_size")
        if c not in fico.columns
    ]
    if missing:
        raise KeyError(f"fico must have the columns of load_fico(); missing {missing}")
    if isinstance(groups, str) or len(groups) == 0 or len(set(groups)) != len(groups):
        raise ValueError(
            f"groups must be a non-empty sequence of distinct group names; got {groups!r}"
        )
    available = set(fico["group"].astype(str))
    unknown = [g for g in groups if g not in available]
    if unknown:
        raise ValueError(
            f"groups must be among {sorted(available)}; got {unknown[0]!r}"
        )
    pmf, repay, sizes = {}, {}, {}
    index = None
    for group in groups:
        rows = fico[fico["group"].astype(str) == group].sort_values("score")
        score = rows["score"].to_numpy(dtype=float)
        if index is None:
            index = score
        elif not np.array_equal(index, score):
            raise ValueError(
                f"every group must have the same score cells; {group!r} differs"
            )
        pmf[group] = np.diff(rows["cdf"].to_numpy(dtype=float), prepend=0.0)
        repay[group] = rows["non_default_rate"].to_numpy(dtype=float)
        sizes[group] = float(rows["group_size"].iloc[0])
    idx = pd.Index(index, name="transrisk")
    weights = pd.Series(sizes, name="weight")
    weights.index.name = "group"
    columns = pd.Index(list(groups), name="group")
    return LendingPopulation(
        scores=transrisk_to_fico(index),
        pmf=pd.DataFrame(pmf, index=idx).set_axis(columns, axis=1),
        repay=pd.DataFrame(repay, index=idx).set_axis(columns, axis=1),
        weights=weights / weights.sum(),
    )


# --------------------------------------------------------------------------
# One group: score change, acceptance, outcome and utility curves
# --------------------------------------------------------------------------


def expected_score_change(
    scores: ArrayLike,
    repay: ArrayLike,
    *,
    gain: float = 75.0,
    loss: float = 150.0,
    bounds: tuple[float, float] = _FICO_BOUNDS,
    clip: Literal["expected", "outcome"] = "expected",
) -> np.ndarray:
    """Expected score change of a borrower: ``+gain`` if repaid, ``-loss`` if not.

    With ``clip="expected"`` (Liu et al.'s code) the expected new score
    ``s + ρ·gain - (1-ρ)·loss`` is clipped to ``bounds``; with
    ``clip="outcome"`` each outcome is clipped, ``ρ·(min(s+gain, hi) - s) +
    (1-ρ)·(max(s-loss, lo) - s)``. Away from the bounds both equal
    ``ρ·gain - (1-ρ)·loss``, which is positive exactly when ``ρ >
    loss/(gain+loss)``.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Current scores, within ``bounds``.
    repay : array-like of shape (n,)
        Repayment probabilities in [0, 1].
    gain, loss : float, default 75 and 150
        Score change after a repaid loan (up) and a default (down); >= 0.
    bounds : (float, float), default (300, 850)
        The score range, increasing.
    clip : {"expected", "outcome"}, default "expected"
        What is clipped to ``bounds``.

    Returns
    -------
    numpy.ndarray of shape (n,)
        The expected change per borrower.

    Raises
    ------
    ValueError
        On a probability outside [0, 1], a score outside ``bounds``,
        negative ``gain`` or ``loss``, decreasing bounds, an unknown ``clip``
        or mismatched lengths.
    TypeError
        If ``gain`` or ``loss`` is not a real number.

    Examples
    --------
    >>> expected_score_change([600, 840], [0.9, 0.99]).round(2).tolist()
    [52.5, 10.0]
    >>> expected_score_change([840], [0.99], clip="outcome").round(2).tolist()
    [8.4]
    """
    s = as_float_1d(scores, "scores")
    rho = _check_probabilities(as_float_1d(repay, "repay"), "repay")
    _check_same_length(rho, s, "repay", "scores")
    gain = check_real(gain, "gain", low=0.0)
    loss = check_real(loss, "loss", low=0.0)
    lo, hi = _check_bounds(bounds)
    check_choice(clip, "clip", _CLIPS)
    if s.min() < lo or s.max() > hi:
        bad = s[(s < lo) | (s > hi)][0]
        raise ValueError(f"scores must be within bounds [{lo:g}, {hi:g}]; got {bad:g}")
    if clip == "expected":
        return np.clip(s + rho * gain - (1 - rho) * loss, lo, hi) - s
    return rho * (np.minimum(s + gain, hi) - s) + (1 - rho) * (
        np.maximum(s - loss, lo) - s
    )


def _mass_above(pmf: np.ndarray) -> np.ndarray:
    """Mass strictly above each cell (cells in increasing order of score)."""
    at_or_above = np.cumsum(pmf[::-1])[::-1]
    return np.append(at_or_above[1:], 0.0)


def _acceptance(pmf: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Acceptance probability of every cell at every rate, shape (rates, cells)."""
    above = _mass_above(pmf)
    gap = rates[:, None] - above[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(pmf > 0, gap / np.where(pmf > 0, pmf, 1.0), (gap > 0) * 1.0)
    tau = np.clip(tau, 0.0, 1.0)
    # A rate on a breakpoint leaves rounding dust (1e-16) in the next cell:
    # snap it, so that "the lowest cell lent to" is the right one.
    tau[tau < _SNAP] = 0.0
    tau[tau > 1.0 - _SNAP] = 1.0
    return tau


def acceptance_from_rate(pmf: ArrayLike, rate: float) -> np.ndarray:
    """Lend to the top ``rate`` of a group, randomising in the boundary cell.

    Cells are in increasing order of score. Every cell whose mass fits above
    the boundary is accepted (``τ = 1``), every cell below it refused
    (``τ = 0``), and the boundary cell gets the fraction that makes
    ``Σ pmf·τ = rate``. A cell with no mass gets 1 if it lies above the
    boundary, else 0.

    Parameters
    ----------
    pmf : array-like of shape (n_cells,)
        The group's distribution over score cells (non-negative, sums to 1).
    rate : float
        The selection rate, in [0, 1].

    Returns
    -------
    numpy.ndarray of shape (n_cells,)
        Acceptance probability of each cell.

    Raises
    ------
    ValueError
        If ``pmf`` is not a distribution or ``rate`` is outside [0, 1].
    TypeError
        If ``rate`` is not a real number.

    Examples
    --------
    >>> acceptance_from_rate([0.2, 0.5, 0.3], 0.55).round(12).tolist()
    [0.0, 0.5, 1.0]
    """
    p = _check_pmf(pmf)
    beta = check_real(rate, "rate", low=0.0, high=1.0)
    return _acceptance(p, np.array([beta]))[0]


def _curve(pmf: np.ndarray, values: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """``Σ pmf·τ_β·values`` at each rate: interpolation between the breakpoints.

    The sum is linear in ``β`` within a cell, so it is the piecewise-linear
    interpolation of the cumulative sums from the top cell down (cells with
    no mass add nothing and are left out, so the knots increase).
    """
    keep = pmf > 0
    p, v = pmf[keep][::-1], values[keep][::-1]
    mass = np.concatenate([[0.0], np.cumsum(p)])
    total = np.concatenate([[0.0], np.cumsum(p * v)])
    return np.interp(rates, mass, total)


def _shaped(values: np.ndarray, shape: tuple[int, ...]) -> Any:
    return float(values[0]) if shape == () else values.reshape(shape)


def outcome_curve(pmf: ArrayLike, delta: ArrayLike, rates: ArrayLike) -> Any:
    """Delayed impact ``Δμ(β) = Σ pmf·τ_β·delta`` at each selection rate ``β``.

    ``τ_β`` is :func:`acceptance_from_rate`; ``Δμ`` is the group's mean score
    change per member (zero for members who get no loan).

    Parameters
    ----------
    pmf : array-like of shape (n_cells,)
        The group's distribution over score cells, in increasing order of score.
    delta : array-like of shape (n_cells,)
        Expected score change of a borrower in each cell
        (:func:`expected_score_change`).
    rates : float or array-like
        Selection rates in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        ``Δμ`` at each rate (a float for a scalar rate).

    Raises
    ------
    ValueError
        On an invalid ``pmf``, a rate outside [0, 1] or mismatched lengths.

    Examples
    --------
    >>> outcome_curve([0.5, 0.5], [-10.0, 20.0], [0.0, 0.5, 1.0]).tolist()
    [0.0, 10.0, 5.0]
    """
    p = _check_pmf(pmf)
    d = as_float_1d(delta, "delta")
    _check_same_length(d, p, "delta", "pmf")
    flat, shape = _check_rates(rates)
    return _shaped(_curve(p, d, flat), shape)


def utility_curve(
    pmf: ArrayLike, repay: ArrayLike, rates: ArrayLike, *, utility_ratio: float = -4.0
) -> Any:
    """The bank's expected utility per group member at each selection rate.

    A repaid loan earns ``u+ = 1``, a default ``u- = utility_ratio``; the
    utility at rate ``β`` is ``Σ pmf·τ_β·(ρ + u-·(1-ρ))``. Lending to a cell
    pays exactly when ``ρ`` exceeds the break-even ``u-/(u- - 1)`` (0.8 for
    ``u- = -4``).

    Parameters
    ----------
    pmf : array-like of shape (n_cells,)
        The group's distribution over score cells, in increasing order of score.
    repay : array-like of shape (n_cells,)
        Repayment probability of each cell.
    rates : float or array-like
        Selection rates in [0, 1].
    utility_ratio : float, default -4
        ``u-/u+``, negative.

    Returns
    -------
    float or numpy.ndarray
        Utility per member at each rate.

    Raises
    ------
    ValueError
        On an invalid ``pmf`` or ``repay``, a rate outside [0, 1], or
        ``utility_ratio >= 0``.

    Examples
    --------
    >>> utility_curve([0.5, 0.5], [0.5, 1.0], [0.5, 1.0]).tolist()
    [0.5, -0.25]
    """
    p = _check_pmf(pmf)
    rho = _check_probabilities(as_float_1d(repay, "repay"), "repay")
    _check_same_length(rho, p, "repay", "pmf")
    u = _check_utility_ratio(utility_ratio)
    flat, shape = _check_rates(rates)
    return _shaped(_curve(p, rho + u * (1 - rho), flat), shape)


def _knots(pmf: ArrayLike, delta: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The outcome curve's breakpoints: cumulative mass and change from the top."""
    pmf = _check_pmf(pmf)
    delta = as_float_1d(delta, "delta")
    _check_same_length(delta, pmf, "delta", "pmf")
    keep = pmf > 0
    p, d = pmf[keep][::-1], delta[keep][::-1]
    return (
        np.concatenate([[0.0], np.cumsum(p)]),
        np.concatenate([[0.0], np.cumsum(p * d)]),
    )


def outcome_peak(pmf: ArrayLike, delta: ArrayLike) -> tuple[float, float]:
    """The selection rate at which the outcome curve peaks, and its peak value.

    The curve is piecewise linear, so its maximum is at a breakpoint; with
    ties the smallest rate is returned. When the expected change decreases
    in no cell as the score falls (repayment monotone in the score), the
    peak rate is the share of the group whose expected change is positive.

    Parameters
    ----------
    pmf, delta : array-like of shape (n_cells,)
        As in :func:`outcome_curve`.

    Returns
    -------
    (float, float)
        ``β*`` and ``Δμ(β*)``.

    Examples
    --------
    >>> outcome_peak([0.25, 0.25, 0.5], [-10.0, 5.0, 20.0])
    (0.75, 11.25)
    """
    mass, total = _knots(pmf, delta)
    k = int(np.argmax(total))
    return float(mass[k]), float(total[k])


def harm_threshold(pmf: ArrayLike, delta: ArrayLike) -> float:
    """Smallest selection rate above the peak at which ``Δμ`` turns negative.

    Lending to more than this share of the group lowers its mean score
    (Liu et al.'s *active harm*). Found exactly, by linear interpolation in
    the first cell after the peak where the cumulative change drops below
    zero; ``nan`` if ``Δμ`` never does.

    Parameters
    ----------
    pmf, delta : array-like of shape (n_cells,)
        As in :func:`outcome_curve`.

    Returns
    -------
    float
        The rate ``β0``, or ``nan``.

    Examples
    --------
    >>> harm_threshold([0.5, 0.5], [-30.0, 10.0])
    0.6666666666666666
    >>> harm_threshold([0.5, 0.5], [-5.0, 10.0])
    nan
    """
    mass, total = _knots(pmf, delta)
    k = int(np.argmax(total))
    after = np.flatnonzero(total[k:] < 0)
    if len(after) == 0:
        return float("nan")
    j = k + int(after[0])
    m0, m1, t0, t1 = mass[j - 1], mass[j], total[j - 1], total[j]
    return float(m0 + (m1 - m0) * t0 / (t0 - t1))


def impact_regime(
    delta_mu: float, reference: float | None = None, *, tol: float = 1e-9
) -> str:
    """Liu et al.'s name for a policy's delayed impact on a group.

    Without ``reference`` (the unconstrained policy itself): ``"active
    harm"`` if ``Δμ < -tol``, ``"stagnation"`` if ``|Δμ| <= tol``, else
    ``"improvement"``. With ``reference`` (the unconstrained policy's ``Δμ``
    for the same group): ``"active harm"`` if ``Δμ < -tol``, else
    ``"relative improvement"`` or ``"relative harm"`` if ``Δμ`` is above or
    below the reference by more than ``tol``, else ``"no relative change"``.

    Parameters
    ----------
    delta_mu : float
        The policy's delayed impact on the group.
    reference : float, optional
        The maximum-utility policy's delayed impact on the same group.
    tol : float, default 1e-9
        Differences within ``tol`` count as zero (>= 0).

    Returns
    -------
    str

    Examples
    --------
    >>> impact_regime(8.4)
    'improvement'
    >>> impact_regime(-17.1, 8.4), impact_regime(6.0, 8.4), impact_regime(6.8, 4.4)
    ('active harm', 'relative harm', 'relative improvement')
    """
    dm = check_real(delta_mu, "delta_mu")
    tol = check_real(tol, "tol", low=0.0)
    if dm < -tol:
        return "active harm"
    if reference is None:
        return "stagnation" if abs(dm) <= tol else "improvement"
    ref = check_real(reference, "reference")
    if dm > ref + tol:
        return "relative improvement"
    if dm < ref - tol:
        return "relative harm"
    return "no relative change"


# --------------------------------------------------------------------------
# Two or more groups: the bank's policies
# --------------------------------------------------------------------------


def _smallest_rate_for_tpr(
    t: np.ndarray, pmf: np.ndarray, repay: np.ndarray
) -> np.ndarray:
    """Smallest selection rate whose threshold policy reaches each TPR in ``t``."""
    mass = np.concatenate([[0.0], np.cumsum(pmf[::-1])])
    good = np.concatenate([[0.0], np.cumsum((pmf * repay)[::-1])])
    tpr = good / good[-1]
    first_t, first = np.unique(tpr, return_index=True)
    # Within a segment, the rate after every cell that adds no repayment
    # (the last occurrence of each TPR value): threshold policies lend to it.
    last = len(tpr) - 1 - np.unique(tpr[::-1], return_index=True)[1]
    inner = np.interp(t, first_t, mass[last])
    at_knot = np.interp(t, first_t, mass[first])
    return np.where(np.isin(t, first_t), at_knot, inner)


def _row(
    pmf: np.ndarray,
    repay: np.ndarray,
    delta: np.ndarray,
    tau: np.ndarray,
    scores: np.ndarray,
    cells: pd.Index,
    u: float,
) -> dict[str, Any]:
    lent = np.flatnonzero((tau > 0) & (pmf > 0))
    low = lent[0] if len(lent) else None
    return {
        "selection_rate": float(pmf @ tau),
        "tpr": float((pmf * repay) @ tau / (pmf @ repay)),
        "threshold": float(scores[low]) if low is not None else np.nan,
        "threshold_cell": cells[low] if low is not None else np.nan,
        "boundary_fraction": float(tau[low]) if low is not None else np.nan,
        "delta_mu": float((pmf * delta) @ tau),
        "utility": float((pmf * (repay + u * (1 - repay))) @ tau),
    }


def lending_policies(
    population: LendingPopulation,
    *,
    utility_ratio: float = -4.0,
    gain: float = 75.0,
    loss: float = 150.0,
    bounds: tuple[float, float] = _FICO_BOUNDS,
    clip: Literal["expected", "outcome"] = "expected",
) -> pd.DataFrame:
    """The bank's three policies of Liu et al. and their delayed impact.

    * **MaxUtil** lends to every cell whose repayment probability is at least
      the break-even ``u-/(u- - 1)``, in each group (it ignores the weights).
    * **DemParity** lends to the top ``β`` of every group, with the common
      ``β`` that maximises the population's utility ``Σ w_g·U_g(β)``.
    * **EqOpt** lends to the top of each group so that every group's true
      positive rate (share of would-be repayers who get a loan) is the same
      ``t``, with the ``t`` that maximises the population's utility.

    The utilities are piecewise linear in ``β`` (and in ``t``), with
    breakpoints at the groups' cumulative masses (cumulative TPRs) from the
    top; both constrained problems are solved exactly by evaluating every
    breakpoint. (Liu et al.'s code uses a ternary search.)

    Parameters
    ----------
    population : LendingPopulation
        From :func:`fico_population` or built by hand.
    utility_ratio : float, default -4
        ``u-/u+``; the paper uses -4 and -10. Must be negative.
    gain, loss : float, default 75 and 150
        Score change after repayment and after default.
    bounds : (float, float), default (300, 850)
        The score range for clipping.
    clip : {"expected", "outcome"}, default "expected"
        As in :func:`expected_score_change`.

    Returns
    -------
    pandas.DataFrame
        One row per (policy, group), policies in the order MaxUtil,
        DemParity, EqOpt. Columns: ``selection_rate``, ``tpr``,
        ``threshold`` (lowest score lent to, on the scale of
        ``population.scores``), ``threshold_cell`` (that cell's label in
        ``population.pmf.index``, e.g. TransRisk), ``boundary_fraction``
        (share of that cell lent to), ``delta_mu`` (mean score change per
        member), ``utility`` (bank's utility per member) and ``regime``
        (:func:`impact_regime`, against MaxUtil's ``delta_mu`` for the
        constrained policies).

    Raises
    ------
    ValueError
        If ``utility_ratio >= 0``, a group has no chance of repayment, or
        an argument of :func:`expected_score_change` is invalid.
    TypeError
        If ``population`` is not a :class:`LendingPopulation`.

    Examples
    --------
    >>> table = lending_policies(fico_population(), utility_ratio=-4)
    >>> table.loc[("DemParity", "Black"), ["selection_rate", "delta_mu"]].round(3).tolist()
    [0.577, -17.142]
    >>> table.loc[("DemParity", "Black"), "regime"]
    'active harm'
    """
    if not isinstance(population, LendingPopulation):
        raise TypeError(
            "population must be a LendingPopulation (see fico_population); got "
            f"{type(population).__name__}"
        )
    u = _check_utility_ratio(utility_ratio)
    break_even = u / (u - 1.0)
    groups = population.groups
    pmf = {g: population.pmf[g].to_numpy(dtype=float) for g in groups}
    repay = {g: population.repay[g].to_numpy(dtype=float) for g in groups}
    weights = population.weights.to_numpy(dtype=float)
    for g in groups:
        if pmf[g] @ repay[g] <= 0:
            raise ValueError(
                f"repay must be positive somewhere in group {g!r}; got a "
                "group in which nobody repays"
            )
    delta = {
        g: expected_score_change(
            population.scores, repay[g], gain=gain, loss=loss, bounds=bounds, clip=clip
        )
        for g in groups
    }
    profit = {g: repay[g] + u * (1 - repay[g]) for g in groups}

    taus: dict[str, dict[Any, np.ndarray]] = {}
    taus["MaxUtil"] = {g: (repay[g] >= break_even).astype(float) for g in groups}

    # Demographic parity: a common rate; candidates are every group's breakpoints.
    rates = np.unique(
        np.clip(
            np.concatenate([np.cumsum(pmf[g][::-1]) for g in groups] + [[0.0, 1.0]]),
            0,
            1,
        )
    )
    total = sum(
        w * _curve(pmf[g], profit[g], rates)
        for w, g in zip(weights, groups, strict=True)
    )
    beta = float(rates[int(np.argmax(total))])
    taus["DemParity"] = {g: _acceptance(pmf[g], np.array([beta]))[0] for g in groups}

    # Equal opportunity: a common TPR; candidates are every group's cumulative TPRs.
    tprs = np.unique(
        np.clip(
            np.concatenate(
                [
                    np.cumsum((pmf[g] * repay[g])[::-1]) / (pmf[g] @ repay[g])
                    for g in groups
                ]
                + [[0.0, 1.0]]
            ),
            0,
            1,
        )
    )
    group_rates = {g: _smallest_rate_for_tpr(tprs, pmf[g], repay[g]) for g in groups}
    total = sum(
        w * _curve(pmf[g], profit[g], group_rates[g])
        for w, g in zip(weights, groups, strict=True)
    )
    best = int(np.argmax(total))
    taus["EqOpt"] = {
        g: _acceptance(pmf[g], group_rates[g][best : best + 1])[0] for g in groups
    }

    rows, index = [], []
    for policy in _POLICIES:
        for g in groups:
            rows.append(
                _row(
                    pmf[g],
                    repay[g],
                    delta[g],
                    taus[policy][g],
                    population.scores,
                    population.pmf.index,
                    u,
                )
            )
            index.append((policy, g))
    table = pd.DataFrame(
        rows, index=pd.MultiIndex.from_tuples(index, names=["policy", "group"])
    )
    reference = table.loc["MaxUtil", "delta_mu"]
    table["regime"] = [
        impact_regime(dm, None if policy == "MaxUtil" else float(reference[g]))
        for (policy, g), dm in table["delta_mu"].items()
    ]
    return table


# --------------------------------------------------------------------------
# Individual borrowers
# --------------------------------------------------------------------------


def simulate_score_changes(
    population: LendingPopulation,
    group: Any,
    acceptance: ArrayLike,
    *,
    n: int,
    rng: np.random.Generator,
    gain: float = 75.0,
    loss: float = 150.0,
    bounds: tuple[float, float] = _FICO_BOUNDS,
) -> pd.DataFrame:
    """Draw ``n`` members of a group and follow one round of lending.

    Each member's score cell is drawn from the group's pmf; the member gets
    a loan with the cell's probability in ``acceptance``; a borrower repays
    with the cell's repayment probability; the score moves by ``+gain`` or
    ``-loss``, clipped to ``bounds`` (each outcome clipped, as in
    ``expected_score_change(..., clip="outcome")``). The mean change
    estimates :func:`outcome_curve` with those deltas. Iterating this is not
    Liu et al.'s model, which is one step.

    Parameters
    ----------
    population : LendingPopulation
        The population.
    group : hashable
        One of ``population.groups``.
    acceptance : array-like of shape (n_cells,)
        Probability of a loan in each cell, in [0, 1] (e.g.
        :func:`acceptance_from_rate`).
    n : int
        Number of members drawn (>= 1).
    rng : numpy.random.Generator
        The source of randomness.
    gain, loss : float, default 75 and 150
        Score change after repayment and after default (>= 0).
    bounds : (float, float), default (300, 850)
        The score range.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows; columns ``score`` (on ``population.scores``' scale),
        ``accepted`` (bool), ``repaid`` (1.0, 0.0, or NaN without a loan) and
        ``change`` (0 without a loan).

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator or ``n`` not an integer.
    ValueError
        If ``group`` is unknown, ``n < 1``, or ``acceptance`` is not a
        vector of probabilities of the right length.

    Examples
    --------
    >>> pop = fico_population()
    >>> tau = acceptance_from_rate(pop.pmf["Black"], 0.3)
    >>> sim = simulate_score_changes(pop, "Black", tau, n=1000,
    ...                              rng=np.random.default_rng(0))
    >>> list(sim.columns), bool(abs(sim["accepted"].mean() - 0.3) < 0.06)
    (['score', 'accepted', 'repaid', 'change'], True)
    """
    if not isinstance(population, LendingPopulation):
        raise TypeError(
            "population must be a LendingPopulation (see fico_population); got "
            f"{type(population).__name__}"
        )
    if group not in population.groups:
        raise ValueError(f"group must be one of {population.groups}; got {group!r}")
    rng = check_rng(rng)
    n = check_int(n, "n", low=1)
    gain = check_real(gain, "gain", low=0.0)
    loss = check_real(loss, "loss", low=0.0)
    lo, hi = _check_bounds(bounds)
    pmf = population.pmf[group].to_numpy(dtype=float)
    repay = population.repay[group].to_numpy(dtype=float)
    tau = _check_probabilities(as_float_1d(acceptance, "acceptance"), "acceptance")
    _check_same_length(tau, pmf, "acceptance", "population.pmf")
    scores = population.scores
    if scores.min() < lo or scores.max() > hi:
        raise ValueError(
            f"bounds must contain the population's scores; got {(lo, hi)!r} for "
            f"scores from {scores.min():g} to {scores.max():g}"
        )
    cell = rng.choice(len(pmf), size=n, p=pmf / pmf.sum())
    accepted = rng.random(n) < tau[cell]
    repaid_draw = rng.random(n) < repay[cell]
    s = scores[cell]
    moved = (
        np.where(repaid_draw, np.minimum(s + gain, hi), np.maximum(s - loss, lo)) - s
    )
    return pd.DataFrame(
        {
            "score": s,
            "accepted": accepted,
            "repaid": np.where(accepted, repaid_draw.astype(float), np.nan),
            "change": np.where(accepted, moved, 0.0),
        }
    )
