"""Confidence intervals for binomial proportions and their differences.

Shared statistics: fairness audits (:func:`course_lib.fairness.audit_outputs`)
and interpretable models (:mod:`course_lib.interpret`) both report a rate
``x / n`` with an interval.

* :func:`wilson_interval`: the Wilson (1927) score interval for one
  proportion, the inversion of the score test; unlike the Wald interval it
  stays inside [0, 1] and keeps close to nominal coverage for small ``n`` or
  rates near 0 and 1.
* :func:`newcombe_interval`: Newcombe's (1998, method 10) hybrid score
  interval for a difference of two independent proportions, built from the
  two Wilson intervals.

:func:`wilson_bounds` and :func:`newcombe_bounds` are the same formulas
without the argument checks, for callers that have validated their counts.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

from course_lib._checks import check_probability

__all__ = [
    "IntervalEstimate",
    "newcombe_bounds",
    "newcombe_interval",
    "wilson_bounds",
    "wilson_interval",
    "z_value",
]


class IntervalEstimate(NamedTuple):
    """A point estimate with a confidence interval (a named tuple).

    Attributes
    ----------
    estimate : float
        The point estimate.
    lower, upper : float
        The interval's bounds.

    Examples
    --------
    >>> est = IntervalEstimate(0.2, 0.05, 0.33)
    >>> est.upper - est.lower
    0.28
    """

    estimate: float
    lower: float
    upper: float


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence``: ``Phi^-1((1 + c) / 2)``.

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    return float(norm.ppf(0.5 + confidence / 2))


def wilson_bounds(
    x: np.ndarray, n: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson bounds of ``x / n`` for checked counts (NaN where ``n`` is 0).

    Examples
    --------
    >>> lo, hi = wilson_bounds(np.array([0, 7]), np.array([0, 20]), z_value(0.95))
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([nan, 0.1812], [nan, 0.5671])
    """
    x, n = np.broadcast_arrays(np.asarray(x, float), np.asarray(n, float))
    ok = n > 0
    safe_n = np.where(ok, n, 1.0)
    denom = safe_n + z**2
    center = (x + z**2 / 2) / denom
    half = z * np.sqrt(np.maximum(x * (safe_n - x), 0) / safe_n + z**2 / 4) / denom
    # The bounds at x = 0 and x = n are exactly 0 and 1 (not 1 - 1e-16).
    lower = np.where(ok, np.where(x == 0, 0.0, np.clip(center - half, 0, 1)), np.nan)
    upper = np.where(ok, np.where(x == n, 1.0, np.clip(center + half, 0, 1)), np.nan)
    return lower, upper


def _check_counts(x: Any, n: Any, xname: str, nname: str):
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    try:
        x, n = np.broadcast_arrays(x, n)
    except ValueError as err:
        raise ValueError(
            f"{xname} and {nname} must have broadcastable shapes; got "
            f"{np.shape(x)} and {np.shape(n)}"
        ) from err
    if not (np.all(np.isfinite(n)) and np.all(n >= 0) and np.all(n == np.round(n))):
        raise ValueError(f"{nname} must be non-negative whole numbers; got {n!r}")
    if not (np.all(x >= 0) and np.all(x <= n) and np.all(x == np.round(x))):
        raise ValueError(
            f"{xname} must be whole numbers between 0 and {nname}; got {x!r}"
        )
    return x, n


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``successes / trials``.

    ``center = (x + z^2/2) / (n + z^2)`` and
    ``half-width = z sqrt(x (n - x) / n + z^2 / 4) / (n + z^2)``, with ``z`` the
    ``(1 + confidence) / 2`` normal quantile (the same as statsmodels'
    ``proportion_confint(method="wilson")``).

    Parameters
    ----------
    successes : array-like of int
        Counts ``x`` with ``0 <= x <= n``.
    trials : array-like of int
        Counts ``n`` (broadcast against ``successes``); 0 gives NaN.
    confidence : float, default 0.95
        Nominal coverage, in (0, 1).

    Returns
    -------
    lower, upper : ndarray
        Bounds, within [0, 1].

    Raises
    ------
    ValueError
        If the counts are not whole numbers with ``0 <= x <= n`` or
        ``confidence`` is outside (0, 1).
    TypeError
        If ``confidence`` is not a number.

    Examples
    --------
    >>> lo, hi = wilson_interval(7, 20)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.1812, 0.5671)
    """
    z = z_value(check_probability(confidence, "confidence", open_interval=True))
    x, n = _check_counts(successes, trials, "successes", "trials")
    return wilson_bounds(x, n, z)


def newcombe_bounds(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``p1 - p2`` and Newcombe's bounds for checked counts (NaN for n = 0).

    Examples
    --------
    >>> d, lo, hi = newcombe_bounds(56.0, 70.0, 48.0, 80.0, z_value(0.95))
    >>> round(float(d), 4), round(float(lo), 4), round(float(hi), 4)
    (0.2, 0.0524, 0.3339)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = np.where(n1 > 0, x1 / np.where(n1 > 0, n1, 1), np.nan)
        p2 = np.where(n2 > 0, x2 / np.where(n2 > 0, n2, 1), np.nan)
    l1, u1 = wilson_bounds(x1, n1, z)
    l2, u2 = wilson_bounds(x2, n2, z)
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, lower, upper


def newcombe_interval(
    successes_a: ArrayLike,
    trials_a: ArrayLike,
    successes_b: ArrayLike,
    trials_b: ArrayLike,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for ``p_a - p_b`` (independent samples).

    With Wilson intervals ``(l_a, u_a)`` and ``(l_b, u_b)``:
    ``lower = d - sqrt((p_a - l_a)^2 + (u_b - p_b)^2)`` and
    ``upper = d + sqrt((u_a - p_a)^2 + (p_b - l_b)^2)``, ``d = p_a - p_b``
    (Newcombe 1998, method 10).

    Parameters
    ----------
    successes_a, trials_a : array-like of int
        Counts of group a.
    successes_b, trials_b : array-like of int
        Counts of group b. All four broadcast together; a zero count of
        trials gives NaN.
    confidence : float, default 0.95
        Nominal coverage, in (0, 1).

    Returns
    -------
    estimate, lower, upper : ndarray
        ``p_a - p_b`` and its bounds.

    Raises
    ------
    ValueError
        As :func:`wilson_interval`.
    TypeError
        As :func:`wilson_interval`.

    Examples
    --------
    >>> d, lo, hi = newcombe_interval(56, 70, 48, 80)
    >>> round(float(d), 4), round(float(lo), 4), round(float(hi), 4)
    (0.2, 0.0524, 0.3339)
    """
    z = z_value(check_probability(confidence, "confidence", open_interval=True))
    x1, n1 = _check_counts(successes_a, trials_a, "successes_a", "trials_a")
    x2, n2 = _check_counts(successes_b, trials_b, "successes_b", "trials_b")
    return newcombe_bounds(x1, n1, x2, n2, z)
