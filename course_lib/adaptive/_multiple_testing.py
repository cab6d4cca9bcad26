"""Multiple testing: Bonferroni and Benjamini-Hochberg corrections.

Testing ``m`` hypotheses at level ``alpha`` each makes at least one false
rejection likely when ``m`` is large. Two classic corrections:

- :func:`bonferroni` controls the **family-wise error rate** (the probability
  of at least one false rejection) at ``alpha`` under any dependence;
- :func:`benjamini_hochberg` controls the **false discovery rate** (the
  expected fraction of false rejections among the rejections) at
  ``alpha * m0 / m <= alpha`` for independent (or positively dependent)
  p-values (Benjamini and Hochberg 1995).

Both return ``(reject, adjusted)``: ``adjusted`` is the adjusted p-value
(the smallest level at which the hypothesis would be rejected) and
``reject = adjusted <= alpha``, in the order of the input.

NaN policy (that of R's ``p.adjust``): a NaN p-value is a hypothesis that was
not tested. It is left out of the family (``m`` counts the non-NaN p-values
only), its adjusted p-value is NaN and it is never rejected.

:func:`false_discovery_proportion` and :func:`family_wise_error` score a
vector (or a matrix, one row per simulated experiment) of rejections against
the truth, for simulations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from course_lib._checks import check_probability

__all__ = [
    "benjamini_hochberg",
    "bonferroni",
    "false_discovery_proportion",
    "family_wise_error",
]


def _as_pvalues(pvalues: ArrayLike) -> np.ndarray:
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"pvalues must be an array of numbers; got {pvalues!r}"
        ) from exc
    if p.ndim != 1:
        raise ValueError(f"pvalues must be a 1-D array; got shape {p.shape}")
    finite = p[~np.isnan(p)]
    if np.any((finite < 0) | (finite > 1)):
        bad = finite[(finite < 0) | (finite > 1)][0]
        raise ValueError(
            f"pvalues must lie in [0, 1] (NaN allowed for untested); got {float(bad)!r}"
        )
    return p


def bonferroni(
    pvalues: ArrayLike, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Bonferroni correction: reject when ``m * p <= alpha``.

    Parameters
    ----------
    pvalues : array_like of float, shape (m,)
        P-values in [0, 1], in any order. NaN marks an untested hypothesis:
        it is left out of ``m``, never rejected, and its adjusted value is NaN.
    alpha : float, default 0.05
        Family-wise error rate to control, in (0, 1).

    Returns
    -------
    reject : numpy.ndarray of bool, shape (m,)
        ``adjusted <= alpha``.
    adjusted : numpy.ndarray of float, shape (m,)
        ``min(1, m * p)`` with ``m`` the number of non-NaN p-values, in the
        input order.

    Raises
    ------
    TypeError
        If ``pvalues`` is not numeric or ``alpha`` is not a real number.
    ValueError
        If ``pvalues`` is not 1-D or has a value outside [0, 1], or ``alpha``
        is not in (0, 1).

    Examples
    --------
    >>> reject, adjusted = bonferroni([0.01, 0.04, 0.002, 0.3])
    >>> reject
    array([ True, False,  True, False])
    >>> adjusted
    array([0.04 , 0.16 , 0.008, 1.   ])
    """
    alpha = check_probability(alpha, "alpha", open_interval=True)
    p = _as_pvalues(pvalues)
    m = int(np.count_nonzero(~np.isnan(p)))
    adjusted = np.minimum(p * m, 1.0)
    reject = np.zeros(p.shape, dtype=bool)
    np.less_equal(adjusted, alpha, out=reject, where=~np.isnan(adjusted))
    return reject, adjusted


def benjamini_hochberg(
    pvalues: ArrayLike, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg step-up procedure controlling the false discovery rate.

    Sort the ``m`` p-values, ``p_(1) <= ... <= p_(m)``; let ``k`` be the largest
    ``i`` with ``p_(i) <= alpha * i / m``; reject the ``k`` smallest. The
    adjusted p-value of ``p_(i)`` is ``min(1, min_{j >= i} p_(j) * m / j)``, and
    the rejections are exactly those with ``adjusted <= alpha``.

    Parameters
    ----------
    pvalues : array_like of float, shape (m,)
        P-values in [0, 1], in any order; ties are allowed and get equal
        adjusted values. NaN marks an untested hypothesis: it is left out of
        ``m``, never rejected, and its adjusted value is NaN.
    alpha : float, default 0.05
        False discovery rate to control, in (0, 1).

    Returns
    -------
    reject : numpy.ndarray of bool, shape (m,)
        ``adjusted <= alpha``, in the input order.
    adjusted : numpy.ndarray of float, shape (m,)
        BH adjusted p-values (R's ``p.adjust(p, "BH")``), in the input order.

    Raises
    ------
    TypeError
        If ``pvalues`` is not numeric or ``alpha`` is not a real number.
    ValueError
        If ``pvalues`` is not 1-D or has a value outside [0, 1], or ``alpha``
        is not in (0, 1).

    Notes
    -----
    Step-up: ``p_(3) = 0.039 > 0.05 * 3 / 4`` would fail on its own in the
    example below, but ``p_(4) = 0.04 <= 0.05 * 4 / 4`` passes, so all four
    p-values are rejected.

    Examples
    --------
    >>> reject, adjusted = benjamini_hochberg([0.04, 0.001, 0.039, 0.02])
    >>> reject
    array([ True,  True,  True,  True])
    >>> adjusted
    array([0.04 , 0.004, 0.04 , 0.04 ])
    >>> benjamini_hochberg([0.5, 0.2, float("nan")], alpha=0.1)[1]
    array([0.5, 0.4, nan])
    """
    alpha = check_probability(alpha, "alpha", open_interval=True)
    p = _as_pvalues(pvalues)
    tested = np.flatnonzero(~np.isnan(p))
    m = tested.size
    adjusted = np.full(p.shape, np.nan)
    if m:
        order = tested[np.argsort(p[tested], kind="stable")]
        scaled = p[order] * m / np.arange(1, m + 1)
        # Running minimum from the largest p-value down: the step-up.
        stepped = np.minimum.accumulate(scaled[::-1])[::-1]
        # p * m / m can round below p; the adjusted value never is.
        stepped = np.maximum(stepped, p[order])
        adjusted[order] = np.minimum(stepped, 1.0)
    reject = np.zeros(p.shape, dtype=bool)
    np.less_equal(adjusted, alpha, out=reject, where=~np.isnan(adjusted))
    return reject, adjusted


def _as_bool_pair(
    reject: ArrayLike, is_null: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(reject)
    n = np.asarray(is_null)
    for name, arr in (("reject", r), ("is_null", n)):
        if arr.dtype != bool:
            raise TypeError(f"{name} must be a boolean array; got dtype {arr.dtype}")
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1-D (one experiment) or 2-D (one row per "
                f"experiment); got shape {arr.shape}"
            )
    if r.shape != n.shape:
        raise ValueError(
            f"reject and is_null must have the same shape; got {r.shape} and {n.shape}"
        )
    return r, n


def false_discovery_proportion(
    reject: ArrayLike, is_null: ArrayLike
) -> float | np.ndarray:
    """False discovery proportion ``V / max(R, 1)`` of a set of rejections.

    ``V`` counts rejected true nulls and ``R`` all rejections; with no
    rejection the proportion is 0 (the convention under which the false
    discovery rate is its expectation).

    Parameters
    ----------
    reject : array_like of bool, shape (m,) or (n_experiments, m)
        Which hypotheses were rejected.
    is_null : array_like of bool, same shape as ``reject``
        Which hypotheses are true nulls.

    Returns
    -------
    float or numpy.ndarray of float, shape (n_experiments,)
        The proportion, one per row for 2-D input.

    Raises
    ------
    TypeError
        If an input is not boolean.
    ValueError
        If the shapes differ or are not 1-D or 2-D.

    Examples
    --------
    >>> false_discovery_proportion(
    ...     [True, True, True, False], [True, False, False, True]
    ... )
    0.3333333333333333
    >>> false_discovery_proportion([[False, False], [True, True]],
    ...                            [[True, True], [True, False]])
    array([0. , 0.5])
    """
    r, n = _as_bool_pair(reject, is_null)
    false_rejections = np.count_nonzero(r & n, axis=-1)
    rejections = np.count_nonzero(r, axis=-1)
    fdp = false_rejections / np.maximum(rejections, 1)
    return float(fdp) if r.ndim == 1 else fdp


def family_wise_error(reject: ArrayLike, is_null: ArrayLike) -> bool | np.ndarray:
    """Whether at least one true null was rejected (a family-wise error).

    Parameters
    ----------
    reject : array_like of bool, shape (m,) or (n_experiments, m)
        Which hypotheses were rejected.
    is_null : array_like of bool, same shape as ``reject``
        Which hypotheses are true nulls.

    Returns
    -------
    bool or numpy.ndarray of bool, shape (n_experiments,)
        One per row for 2-D input; its mean over rows estimates the
        family-wise error rate.

    Raises
    ------
    TypeError
        If an input is not boolean.
    ValueError
        If the shapes differ or are not 1-D or 2-D.

    Examples
    --------
    >>> family_wise_error([True, False], [False, True])
    False
    >>> family_wise_error([[True, False], [True, True]], [[False, True]] * 2)
    array([False,  True])
    """
    r, n = _as_bool_pair(reject, is_null)
    error = np.any(r & n, axis=-1)
    return bool(error) if r.ndim == 1 else error
