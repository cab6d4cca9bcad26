"""Differentially private mechanisms, vectorised over numpy arrays.

Every randomised function takes a keyword-only ``rng``, a
:class:`numpy.random.Generator`, and states its exact privacy cost:

=================================  ============================================
mechanism                          privacy cost
=================================  ============================================
:func:`randomized_response`        ``epsilon``-DP (local model, per bit)
:func:`laplace_mechanism`          ``epsilon``-DP (L1 sensitivity ``Δ``)
:func:`gaussian_mechanism`         ``(epsilon, delta)``-DP (L2 sensitivity)
:func:`exponential_mechanism`      ``epsilon``-DP (utility sensitivity ``Δ``)
:func:`report_noisy_max`           ``epsilon``-DP (exponential noise ``2Δ/ε``)
:func:`above_threshold`            ``epsilon``-DP (Dwork-Roth Algorithm 1)
:func:`sparse_vector`              ``epsilon``-DP (Dwork-Roth Algorithm 2)
:func:`private_quantile`           ``epsilon``-DP (Smith 2011)
:func:`private_count`              ``epsilon``-DP
:func:`private_sum`                ``epsilon``-DP (values clipped)
:func:`private_mean`               ``epsilon``-DP (``epsilon/2`` + ``epsilon/2``)
=================================  ============================================

Neighbouring datasets differ in one person's record; a function of the data has
sensitivity ``Δ`` when its value can change by at most ``Δ`` between
neighbours. The costs assume exact real arithmetic: the floating-point
samplers used here (like numpy's own) are subject to Mironov's (2012) attack,
which :func:`~course_lib.privacy.mironov_attack` demonstrates and avoids with exact
integer samplers.

Validation is deliberately cheap (scalars are checked, arrays are converted
once) so that :func:`laplace_mechanism` and :func:`randomized_response` run at
numpy's raw sampling rate.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq
from scipy.special import log_ndtr

from course_lib._checks import (
    as_float_1d,
    check_int,
    check_positive,
    check_probability,
    check_real,
)
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "above_threshold",
    "classic_gaussian_sigma",
    "exponential_mechanism",
    "exponential_mechanism_probabilities",
    "gaussian_mechanism",
    "gaussian_sigma",
    "laplace_mechanism",
    "private_count",
    "private_mean",
    "private_quantile",
    "private_sum",
    "randomized_response",
    "randomized_response_estimate",
    "report_noisy_max",
    "sparse_vector",
]


# --------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------


def _check_size(size: Any) -> int | None:
    """``None`` (one draw) or a positive number of draws."""
    return None if size is None else check_int(size, "size", low=1)


# --------------------------------------------------------------------------
# Randomised response
# --------------------------------------------------------------------------


def randomized_response(bits: ArrayLike, epsilon: float, *, rng) -> np.ndarray:
    """Warner's randomised response: keep each bit w.p. ``e^ε / (1 + e^ε)``.

    Each bit is reported truthfully with probability ``e^ε / (1 + e^ε)`` and
    flipped otherwise, independently. Privacy: **epsilon-DP in the local
    model** for each respondent's bit (the likelihood ratio of any report
    under the two possible true bits is exactly ``e^ε``). Reporting ``m``
    bits of one person costs ``m * epsilon`` by sequential composition.

    Parameters
    ----------
    bits : array_like of bool or int
        The true bits, booleans or integers 0/1, any shape. Integer inputs are
        not scanned for values other than 0/1 (that would cost a pass over the
        data): other values give meaningless output.
    epsilon : float
        Privacy parameter, positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    numpy.ndarray
        The reported bits, same shape and dtype as ``bits`` (bool in, bool out;
        int8 in, int8 out).

    Raises
    ------
    ValueError
        If ``epsilon`` is not a positive finite number.
    TypeError
        If ``epsilon`` is not a real number, ``bits`` is not boolean or
        integer, or ``rng`` is not a Generator.

    Notes
    -----
    The flip decision is ``rng.random(n) < 1 / (1 + e^ε)``, so the flip
    probability is that number rounded up to a multiple of ``2^-53``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> truth = np.zeros(100_000, dtype=np.int8)
    >>> reports = randomized_response(truth, 1.0, rng=rng)
    >>> reports.dtype, reports.shape
    (dtype('int8'), (100000,))
    >>> round(float(reports.mean()), 2)  # about 1 / (1 + e)
    0.27
    """
    epsilon = check_positive(epsilon, "epsilon")
    _check_rng(rng)
    arr = np.asarray(bits)
    if arr.dtype.kind not in "biu":
        raise TypeError(f"bits must be booleans or integers 0/1; got dtype {arr.dtype}")
    p_flip = 1.0 / (1.0 + math.exp(epsilon)) if epsilon < 700 else 0.0
    flip = rng.random(arr.shape) < p_flip
    return np.bitwise_xor(arr, flip, dtype=arr.dtype)


def randomized_response_estimate(responses: ArrayLike, epsilon: float) -> float:
    """Unbiased estimate of the true share of 1s from randomised responses.

    With keep probability ``p = e^ε / (1 + e^ε)`` the observed share ``m``
    has expectation ``(1 - p) + (2p - 1) π``, so ``(m - (1 - p)) / (2p - 1)``
    is unbiased for the true share ``π`` (it can fall outside [0, 1]).
    Post-processing: no further privacy cost.

    Parameters
    ----------
    responses : array_like of bool or int
        Reports from :func:`randomized_response` (0/1), any shape, non-empty.
    epsilon : float
        The epsilon the responses were produced with.

    Returns
    -------
    float
        The estimated share of 1s.

    Raises
    ------
    ValueError
        If ``responses`` is empty or ``epsilon`` is not positive and finite.
    TypeError
        If ``epsilon`` is not a real number.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> truth = rng.random(200_000) < 0.3
    >>> est = randomized_response_estimate(
    ...     randomized_response(truth, 1.0, rng=rng), 1.0)
    >>> round(est, 2)
    0.3
    """
    epsilon = check_positive(epsilon, "epsilon")
    arr = np.asarray(responses)
    if arr.size == 0:
        raise ValueError("responses must be non-empty; got an empty array")
    share = float(np.count_nonzero(arr)) / arr.size
    keep = 1.0 / (1.0 + math.exp(-epsilon))
    return (share - (1.0 - keep)) / (2.0 * keep - 1.0)


# --------------------------------------------------------------------------
# Laplace and Gaussian
# --------------------------------------------------------------------------


def laplace_mechanism(
    value: ArrayLike, sensitivity: float, epsilon: float, *, rng
) -> float | np.ndarray:
    """Add Laplace noise of scale ``sensitivity / epsilon`` to each element.

    Privacy: **epsilon-DP** when ``value`` (as a whole) has L1 sensitivity
    ``sensitivity`` (the sum over elements of the absolute changes between
    neighbouring datasets is at most ``sensitivity``). The noise on each
    element is independent, ``Lap(b)`` with ``b = sensitivity / epsilon`` and
    variance ``2 b^2``.

    Parameters
    ----------
    value : float or array_like of float
        The true answer(s). NaNs are not checked for and stay NaN.
    sensitivity : float
        L1 sensitivity ``Δ`` of ``value``, positive and finite.
    epsilon : float
        Privacy parameter, positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``value``, else a float array of its shape.

    Raises
    ------
    ValueError
        If ``sensitivity`` or ``epsilon`` is not a positive finite number.
    TypeError
        If ``sensitivity`` or ``epsilon`` is not a real number, ``value`` is
        not numeric or ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> noisy = laplace_mechanism(np.zeros(100_000), 1.0, 0.5, rng=rng)
    >>> noisy.shape, round(float(noisy.var()))  # 2 * (1 / 0.5)^2 = 8
    ((100000,), 8)
    >>> isinstance(laplace_mechanism(10, 1.0, 1.0, rng=rng), float)
    True
    """
    scale = check_positive(sensitivity, "sensitivity") / check_positive(
        epsilon, "epsilon"
    )
    _check_rng(rng)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"value must be numeric; got {value!r}") from exc
    if arr.ndim == 0:
        return float(arr) + float(rng.laplace(0.0, scale))
    out = rng.laplace(0.0, scale, size=arr.shape)
    out += arr
    return out


def _gaussian_delta(sigma: float, l2_sensitivity: float, epsilon: float) -> float:
    """Balle-Wang (2018, Thm 8): the exact delta of N(0, σ²) at epsilon."""
    a = l2_sensitivity / (2.0 * sigma)
    b = epsilon * sigma / l2_sensitivity
    return math.exp(log_ndtr(a - b)) - math.exp(epsilon + log_ndtr(-a - b))


def gaussian_sigma(l2_sensitivity: float, epsilon: float, delta: float) -> float:
    """Smallest Gaussian noise sigma giving (epsilon, delta)-DP (analytic).

    The analytic Gaussian mechanism of Balle and Wang (2018, Theorem 8):
    ``N(0, σ²)`` noise on a function of L2 sensitivity ``Δ`` is
    ``(ε, δ)``-DP if and only if
    ``Φ(Δ/(2σ) - εσ/Δ) - e^ε Φ(-Δ/(2σ) - εσ/Δ) <= δ``. The left side falls
    as ``σ`` grows; this function solves for equality with
    :func:`scipy.optimize.brentq` (in log space for stability) and then
    rounds ``σ`` up until the inequality holds in floating point. Valid for
    every ``ε > 0``, unlike :func:`classic_gaussian_sigma`.

    Parameters
    ----------
    l2_sensitivity : float
        L2 sensitivity ``Δ``, positive and finite.
    epsilon : float
        Positive and finite.
    delta : float
        In (0, 1).

    Returns
    -------
    float
        The noise standard deviation.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Examples
    --------
    >>> round(gaussian_sigma(1.0, 1.0, 1e-5), 3)
    3.731
    >>> gaussian_sigma(1.0, 0.5, 1e-5) < classic_gaussian_sigma(1.0, 0.5, 1e-5)
    True
    """
    sens = check_positive(l2_sensitivity, "l2_sensitivity")
    eps = check_positive(epsilon, "epsilon")
    delta = check_probability(delta, "delta", open_interval=True)

    def excess(log_sigma: float) -> float:
        return _gaussian_delta(math.exp(log_sigma), sens, eps) - delta

    # delta(σ) -> 1 as σ -> 0 and -> 0 as σ -> inf: bracket in log σ.
    lo = hi = math.log(sens)
    while excess(lo) <= 0:
        lo -= 2.0
    while excess(hi) > 0:
        hi += 2.0
    sigma = math.exp(brentq(excess, lo, hi, xtol=1e-14, rtol=1e-14))
    while _gaussian_delta(sigma, sens, eps) > delta:
        sigma = math.nextafter(sigma, math.inf) * (1 + 1e-15)
    return sigma


def classic_gaussian_sigma(
    l2_sensitivity: float, epsilon: float, delta: float
) -> float:
    """The classic Gaussian calibration ``sqrt(2 ln(1.25/δ)) Δ / ε``.

    Dwork and Roth (2014, Theorem A.1): noise of this sigma gives
    ``(ε, δ)``-DP for ``ε < 1`` only. Kept for comparison with the smaller
    :func:`gaussian_sigma`.

    Parameters
    ----------
    l2_sensitivity : float
        L2 sensitivity ``Δ``, positive and finite.
    epsilon : float
        In (0, 1).
    delta : float
        In (0, 1).

    Returns
    -------
    float
        The noise standard deviation.

    Raises
    ------
    ValueError
        If ``epsilon`` is not in (0, 1) or another parameter is out of range.

    Examples
    --------
    >>> round(classic_gaussian_sigma(1.0, 0.5, 1e-5), 3)
    9.69
    """
    sens = check_positive(l2_sensitivity, "l2_sensitivity")
    eps = check_positive(epsilon, "epsilon")
    delta = check_probability(delta, "delta", open_interval=True)
    if eps >= 1:
        raise ValueError(
            "epsilon must be in (0, 1) for the classic Gaussian mechanism; got "
            f"{epsilon!r} (use gaussian_sigma, valid for every epsilon)"
        )
    return math.sqrt(2.0 * math.log(1.25 / delta)) * sens / eps


def gaussian_mechanism(
    value: ArrayLike,
    l2_sensitivity: float,
    epsilon: float,
    delta: float,
    *,
    rng,
) -> float | np.ndarray:
    """Add Gaussian noise calibrated by the analytic Gaussian mechanism.

    Privacy: **(epsilon, delta)-DP** when ``value`` has L2 sensitivity
    ``l2_sensitivity``; the noise standard deviation is
    ``gaussian_sigma(l2_sensitivity, epsilon, delta)`` (Balle and Wang 2018),
    the smallest that gives this guarantee. Equivalently it is
    ``Δ²/(2σ²)``-zCDP.

    Parameters
    ----------
    value : float or array_like of float
        The true answer(s).
    l2_sensitivity : float
        L2 sensitivity ``Δ``, positive and finite.
    epsilon : float
        Positive and finite.
    delta : float
        In (0, 1).
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``value``, else a float array of its shape.

    Raises
    ------
    ValueError
        If a parameter is out of range.
    TypeError
        If ``value`` is not numeric or ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> noisy = gaussian_mechanism(np.zeros(100_000), 1.0, 1.0, 1e-5, rng=rng)
    >>> round(float(noisy.std()), 1)  # gaussian_sigma(1, 1, 1e-5) = 3.73
    3.7
    """
    sigma = gaussian_sigma(l2_sensitivity, epsilon, delta)
    _check_rng(rng)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"value must be numeric; got {value!r}") from exc
    if arr.ndim == 0:
        return float(arr) + float(rng.normal(0.0, sigma))
    out = rng.normal(0.0, sigma, size=arr.shape)
    out += arr
    return out


# --------------------------------------------------------------------------
# Selection: exponential mechanism, report noisy max
# --------------------------------------------------------------------------


def exponential_mechanism_probabilities(
    utilities: ArrayLike, sensitivity: float, epsilon: float
) -> np.ndarray:
    """Output probabilities of the exponential mechanism.

    ``P(i) = exp(ε u_i / (2Δ)) / Σ_j exp(ε u_j / (2Δ))``, computed stably
    (the largest score is subtracted first); a utility of ``-inf`` has
    probability 0.

    Parameters
    ----------
    utilities : array_like of float
        One utility per candidate (1-D, non-empty), finite or ``-inf``, at
        least one finite.
    sensitivity : float
        Sensitivity ``Δ`` of every utility, positive and finite.
    epsilon : float
        Positive and finite.

    Returns
    -------
    numpy.ndarray
        Probabilities summing to 1.

    Raises
    ------
    ValueError
        On NaN or ``+inf`` utilities, all utilities ``-inf``, or bad
        parameters.

    Examples
    --------
    >>> import numpy as np
    >>> p = exponential_mechanism_probabilities([0.0, 2.0, -np.inf], 1.0, 1.0)
    >>> np.round(p, 4).tolist()  # 1 : e : 0
    [0.2689, 0.7311, 0.0]
    """
    scores = _exp_scores(utilities, sensitivity, epsilon)
    w = np.exp(scores - scores.max())
    return w / w.sum()


def _exp_scores(utilities: ArrayLike, sensitivity: float, epsilon: float):
    sens = check_positive(sensitivity, "sensitivity")
    eps = check_positive(epsilon, "epsilon")
    u = as_float_1d(utilities, "utilities", allow_neg_inf=True)
    if np.all(u == -np.inf):
        raise ValueError(
            "utilities must contain at least one finite value; got all -inf"
        )
    return u * (eps / (2.0 * sens))


def exponential_mechanism(
    utilities: ArrayLike,
    sensitivity: float,
    epsilon: float,
    *,
    rng,
    size: int | None = None,
) -> int | np.ndarray:
    """Select an index with probability proportional to ``exp(ε u / (2Δ))``.

    McSherry and Talwar's exponential mechanism, sampled with the Gumbel-max
    trick: ``argmax_i (ε u_i / (2Δ) + G_i)`` with ``G_i`` i.i.d. standard
    Gumbel has exactly the probabilities of
    :func:`exponential_mechanism_probabilities`. Privacy: **epsilon-DP** when
    every utility has sensitivity ``Δ``.

    Parameters
    ----------
    utilities : array_like of float
        One utility per candidate (1-D), finite or ``-inf`` (never chosen).
    sensitivity : float
        Sensitivity ``Δ`` of the utilities, positive and finite.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    size : int, optional
        If given, run the mechanism ``size`` times independently (each run
        costs ``epsilon``) and return an int64 array of indices.

    Returns
    -------
    int or numpy.ndarray
        The chosen index (an array of them with ``size``).

    Raises
    ------
    ValueError
        On NaN or ``+inf`` utilities, all ``-inf``, or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> exponential_mechanism([0.0, 50.0, -np.inf], 1.0, 1.0, rng=rng)
    1
    >>> np.bincount(exponential_mechanism([0.0, 0.0], 1.0, 1.0, rng=rng,
    ...                                   size=10), minlength=2).sum()
    np.int64(10)
    """
    scores = _exp_scores(utilities, sensitivity, epsilon)
    _check_rng(rng)
    size = _check_size(size)
    if size is None:
        return int(np.argmax(scores + rng.gumbel(size=scores.shape)))
    noisy = rng.gumbel(size=(size, scores.size))
    noisy += scores
    return np.argmax(noisy, axis=1)


def report_noisy_max(
    values: ArrayLike,
    sensitivity: float,
    epsilon: float,
    *,
    rng,
    size: int | None = None,
) -> int | np.ndarray:
    """Index of the largest value after adding exponential noise of scale 2Δ/ε.

    Report-noisy-max with **exponential** noise ``Exp(scale=2Δ/ε)`` on each
    value, which is the same distribution as McKenna and Sheldon's (2020)
    permute-and-flip (Ding et al. 2021). Privacy: **epsilon-DP** when each
    value has sensitivity ``Δ`` (general, not necessarily monotone, queries);
    only the index is released, not the noisy value.

    Parameters
    ----------
    values : array_like of float
        Finite query answers, 1-D and non-empty.
    sensitivity : float
        Sensitivity ``Δ`` of each value, positive and finite.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    size : int, optional
        If given, run ``size`` independent times and return an int64 array.

    Returns
    -------
    int or numpy.ndarray
        The index of the noisy maximum (an array with ``size``).

    Raises
    ------
    ValueError
        On non-finite values or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> report_noisy_max([10.0, 500.0, 20.0], 1.0, 1.0, rng=rng)
    1
    """
    scale = (
        2.0
        * check_positive(sensitivity, "sensitivity")
        / check_positive(epsilon, "epsilon")
    )
    v = as_float_1d(values, "values")
    _check_rng(rng)
    size = _check_size(size)
    if size is None:
        return int(np.argmax(v + rng.exponential(scale, size=v.shape)))
    noisy = rng.exponential(scale, size=(size, v.size))
    noisy += v
    return np.argmax(noisy, axis=1)


# --------------------------------------------------------------------------
# Sparse vector
# --------------------------------------------------------------------------


def above_threshold(
    values: ArrayLike,
    threshold: float,
    sensitivity: float,
    epsilon: float,
    *,
    rng,
    size: int | None = None,
) -> int | np.ndarray | None:
    """Index of the first value whose noisy value passes a noisy threshold.

    Dwork and Roth's AboveThreshold (2014, Algorithm 1): draw
    ``ρ ~ Lap(2Δ/ε)`` once, ``ν_i ~ Lap(4Δ/ε)`` per value, and report the
    first ``i`` with ``values[i] + ν_i >= threshold + ρ``. Privacy:
    **epsilon-DP** (Theorem 3.23) for queries of sensitivity ``Δ``, however
    many values are below the threshold; the answers stop at the first
    "above". All noise is drawn at once (vectorised).

    Parameters
    ----------
    values : array_like of float
        Finite query answers in the order they are asked (1-D, non-empty).
    threshold : float
        The public threshold, finite.
    sensitivity : float
        Sensitivity ``Δ`` of each query, positive and finite.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    size : int, optional
        If given, run ``size`` independent times and return an int64 array
        with ``-1`` where no value passed.

    Returns
    -------
    int or None or numpy.ndarray
        The index, or None if no value passed (an array with ``size``).

    Raises
    ------
    ValueError
        On non-finite values or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> above_threshold([0.0, 0.0, 100.0, 0.0], 50.0, 1.0, 1.0, rng=rng)
    2
    >>> print(above_threshold([0.0, 0.0], 1000.0, 1.0, 1.0, rng=rng))
    None
    """
    sens = check_positive(sensitivity, "sensitivity")
    eps = check_positive(epsilon, "epsilon")
    threshold = check_real(threshold, "threshold")
    v = as_float_1d(values, "values")
    _check_rng(rng)
    size = _check_size(size)
    runs = 1 if size is None else size
    rho = rng.laplace(0.0, 2.0 * sens / eps, size=(runs, 1))
    noisy = rng.laplace(0.0, 4.0 * sens / eps, size=(runs, v.size))
    noisy += v
    passed = noisy >= threshold + rho
    first = np.where(passed.any(axis=1), np.argmax(passed, axis=1), -1)
    if size is None:
        return None if first[0] < 0 else int(first[0])
    return first


def sparse_vector(
    values: ArrayLike,
    threshold: float,
    sensitivity: float,
    epsilon: float,
    c: int,
    *,
    rng,
) -> list[int]:
    """Indices of up to ``c`` values above a noisy threshold (Sparse).

    Dwork and Roth's Sparse (2014, Algorithm 2, the ``δ = 0`` case): with
    ``σ = 2cΔ/ε``, draw a threshold noise ``Lap(σ)``, add ``Lap(2σ)`` to
    every value, report the first value above the noisy threshold, redraw the
    threshold noise and continue after it, stopping after ``c`` reports.
    Privacy: **epsilon-DP** (Theorem 3.25): ``c`` runs of AboveThreshold at
    ``ε/c`` each. Each round is vectorised; the Python loop is over at most
    ``c`` reports.

    Parameters
    ----------
    values : array_like of float
        Finite query answers in order (1-D, non-empty).
    threshold : float
        The public threshold, finite.
    sensitivity : float
        Sensitivity ``Δ`` of each query, positive and finite.
    epsilon : float
        Total privacy parameter, positive and finite.
    c : int
        Maximum number of "above" reports, a positive integer.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    list of int
        Increasing indices of the reported values (at most ``c``).

    Raises
    ------
    ValueError
        On non-finite values or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> values = [0.0, 1000.0, 0.0, 1000.0, 1000.0]
    >>> sparse_vector(values, 500.0, 1.0, 1.0, 2, rng=rng)
    [1, 3]
    """
    sens = check_positive(sensitivity, "sensitivity")
    eps = check_positive(epsilon, "epsilon")
    threshold = check_real(threshold, "threshold")
    c = check_int(c, "c", low=1)
    v = as_float_1d(values, "values")
    _check_rng(rng)
    sigma = 2.0 * int(c) * sens / eps
    noisy = v + rng.laplace(0.0, 2.0 * sigma, size=v.shape)
    found: list[int] = []
    start = 0
    while len(found) < c and start < v.size:
        t_hat = threshold + rng.laplace(0.0, sigma)
        passed = noisy[start:] >= t_hat
        if not passed.any():
            break
        start += int(np.argmax(passed))
        found.append(start)
        start += 1
    return found


# --------------------------------------------------------------------------
# Quantiles, counts, sums, means
# --------------------------------------------------------------------------


def private_quantile(
    data: ArrayLike,
    q: float,
    lower: float,
    upper: float,
    epsilon: float,
    *,
    rng,
    size: int | None = None,
) -> float | np.ndarray:
    """The ``q``-quantile of ``data`` by the exponential mechanism (Smith 2011).

    The data are clipped to ``[lower, upper]`` and sorted,
    ``lower = z_0 <= z_1 <= ... <= z_n <= z_{n+1} = upper``. Interval
    ``[z_i, z_{i+1}]`` is chosen with probability proportional to
    ``(z_{i+1} - z_i) exp(-ε |i - q n| / 2)`` and the output is uniform within
    it: the output density at ``x`` is proportional to
    ``exp(-ε |#{z_j <= x} - q n| / 2)``. The utility ``-|rank - qn|`` has
    sensitivity 1 when one record is added, removed or changed, so this is
    **epsilon-DP**.

    Parameters
    ----------
    data : array_like of float
        Finite values, 1-D (may be empty: the output is then uniform).
    q : float
        Quantile level in [0, 1].
    lower, upper : float
        Public bounds with ``lower < upper``.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    size : int, optional
        If given, run ``size`` independent times and return a float array.

    Returns
    -------
    float or numpy.ndarray
        The private quantile (an array with ``size``).

    Raises
    ------
    ValueError
        On non-finite data or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ages = rng.integers(20, 60, size=1000)
    >>> med = private_quantile(ages, 0.5, 0, 120, 1.0, rng=rng)
    >>> 35 <= med <= 45
    True
    """
    eps = check_positive(epsilon, "epsilon")
    q = check_probability(q, "q")
    lower = check_real(lower, "lower")
    upper = check_real(upper, "upper")
    if not lower < upper:
        raise ValueError(f"lower must be less than upper; got {lower} and {upper}")
    try:
        x = np.asarray(data, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"data must be an array of numbers; got {data!r}") from exc
    if not np.isfinite(x).all():
        raise ValueError("data must be finite; got NaN or inf")
    _check_rng(rng)
    size = _check_size(size)
    n = x.size
    z = np.concatenate(([lower], np.sort(np.clip(x, lower, upper)), [upper]))
    lengths = np.diff(z)
    with np.errstate(divide="ignore"):
        logw = np.log(lengths) - 0.5 * eps * np.abs(np.arange(n + 1) - q * n)
    w = np.exp(logw - logw.max())
    idx = rng.choice(n + 1, size=size, p=w / w.sum())
    out = z[idx] + rng.random(size) * lengths[idx]
    return float(out) if size is None else out


def private_count(mask_or_values: ArrayLike, epsilon: float, *, rng) -> float:
    """Count with Laplace noise of scale ``1/ε``.

    For a boolean array the count is the number of True entries; otherwise it
    is the number of entries. Adding or removing one person changes the count
    by at most 1, so this is **epsilon-DP**.

    Parameters
    ----------
    mask_or_values : array_like
        Boolean mask of the people who count, or the records themselves.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float
        The noisy count.

    Raises
    ------
    ValueError
        If ``epsilon`` is not positive and finite.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(private_count(np.arange(1000) < 300, 1.0, rng=rng))
    300
    """
    eps = check_positive(epsilon, "epsilon")
    _check_rng(rng)
    arr = np.asarray(mask_or_values)
    count = np.count_nonzero(arr) if arr.dtype == bool else arr.size
    return float(count) + float(rng.laplace(0.0, 1.0 / eps))


def _clipped(values: ArrayLike, lower: float, upper: float) -> np.ndarray:
    lower = check_real(lower, "lower")
    upper = check_real(upper, "upper")
    if not lower < upper:
        raise ValueError(f"lower must be less than upper; got {lower} and {upper}")
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"values must be numeric; got {values!r}") from exc
    if np.isnan(x).any():
        raise ValueError("values must not contain NaN; drop or impute them first")
    return np.clip(x, lower, upper)


def private_sum(
    values: ArrayLike, lower: float, upper: float, epsilon: float, *, rng
) -> float:
    """Sum of values clipped to ``[lower, upper]``, plus Laplace noise.

    Clipping bounds each person's contribution by
    ``Δ = max(|lower|, |upper|)`` (adding or removing one record), so
    ``Lap(Δ/ε)`` noise makes the sum **epsilon-DP**.

    Parameters
    ----------
    values : array_like of float
        One value per person (any shape; NaN not allowed).
    lower, upper : float
        Public clipping bounds, ``lower < upper``.
    epsilon : float
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float
        The noisy clipped sum.

    Raises
    ------
    ValueError
        On NaN values or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(private_sum(np.full(1000, 5.0), 0, 10, 1.0, rng=rng), -2)
    5000.0
    """
    eps = check_positive(epsilon, "epsilon")
    x = _clipped(values, lower, upper)
    _check_rng(rng)
    sens = max(abs(float(lower)), abs(float(upper)))
    return float(x.sum()) + float(rng.laplace(0.0, sens / eps))


def private_mean(
    values: ArrayLike, lower: float, upper: float, epsilon: float, *, rng
) -> float:
    """Mean as noisy clipped sum over noisy count, ``epsilon/2`` each.

    The sum (:func:`private_sum`) and the count (:func:`private_count`) are
    each released with ``epsilon / 2``; by sequential composition the pair,
    and so their ratio, is **epsilon-DP**. The ratio is post-processed:
    the count is floored at 1 and the result clipped to ``[lower, upper]``
    (no further privacy cost).

    Parameters
    ----------
    values : array_like of float
        One value per person (NaN not allowed).
    lower, upper : float
        Public clipping bounds, ``lower < upper``.
    epsilon : float
        Total privacy parameter, positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float
        The noisy mean, in ``[lower, upper]``.

    Raises
    ------
    ValueError
        On NaN values or bad parameters.
    TypeError
        If ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(private_mean(np.full(10_000, 40.0), 0, 100, 1.0, rng=rng))
    40
    """
    eps = check_positive(epsilon, "epsilon")
    x = _clipped(values, lower, upper)
    _check_rng(rng)
    noisy_sum = private_sum(x, lower, upper, eps / 2.0, rng=rng)
    noisy_count = private_count(x, eps / 2.0, rng=rng)
    return float(np.clip(noisy_sum / max(noisy_count, 1.0), lower, upper))
