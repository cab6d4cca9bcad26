"""Privacy accounting: composition theorems, zCDP, Rényi DP and budgets.

A privacy accountant answers one question: after running these mechanisms on
the same data, how much privacy has been lost in total? This module collects
the answers the course uses, from the loosest to the tightest.

* **Basic composition** (:func:`sequential_composition`): epsilons and deltas
  add up. **Parallel composition** (:func:`parallel_composition`): mechanisms
  run on disjoint parts of the data cost only the largest of their epsilons.
* **Advanced composition** (:func:`advanced_composition`, Dwork, Rothblum and
  Vadhan 2010): ``k`` runs of an ``(epsilon, delta)``-DP mechanism grow the
  privacy loss like ``sqrt(k)`` rather than ``k``, at the price of an extra
  ``delta_prime``.
* **Zero-concentrated DP** (Bun and Steinke 2016): a mechanism is
  ``rho``-zCDP when its Rényi divergences satisfy
  ``D_alpha(M(D) || M(D')) <= rho * alpha`` for every order ``alpha > 1``.
  zCDP composes by adding the ``rho`` and suits the Gaussian mechanism
  (:func:`zcdp_of_gaussian`); :func:`zcdp_to_dp` converts back to
  ``(epsilon, delta)``.
* **Rényi DP of DP-SGD** (Mironov 2017; Mironov, Talwar and Zhang 2019):
  :func:`rdp_subsampled_gaussian` gives the Rényi DP of the Poisson-subsampled
  Gaussian mechanism at integer orders, :func:`rdp_to_dp` converts it.
* **Budgets** (:class:`PrivacyBudget`, :class:`ZCDPBudget`): a ledger that
  refuses a query that would overspend, *before* the query runs.

The conversion from Rényi DP (and zCDP) to ``(epsilon, delta)``-DP used
throughout is the one of Canonne, Kamath and Steinke (2020, Proposition 12;
the same bound is Theorem 21 of Balle et al. 2020): a mechanism with Rényi DP
``eps_alpha`` at order ``alpha`` is ``(epsilon, delta)``-DP with::

    epsilon = eps_alpha + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)

which is never worse than the classical ``eps_alpha + log(1 / delta) / (alpha - 1)``
of Mironov (2017).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from course_lib._checks import check_int, check_positive, check_probability, check_real

__all__ = [
    "BudgetExceededError",
    "PrivacyBudget",
    "Spend",
    "ZCDPBudget",
    "advanced_composition",
    "gaussian_sigma_for_zcdp",
    "parallel_composition",
    "rdp_subsampled_gaussian",
    "rdp_to_dp",
    "rho_for_dp",
    "sequential_composition",
    "zcdp_of_gaussian",
    "zcdp_of_pure_dp",
    "zcdp_to_dp",
]

DEFAULT_ORDERS = np.arange(2, 257)
"""Integer Rényi orders 2, 3, ..., 256: the default grid of the accountant."""

# Relative slack when comparing spending with a budget, so that ten queries of
# 0.1 fit into a budget of 1.0 despite floating-point rounding.
_BUDGET_RTOL = 1e-9


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _nonnegative_array(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of numbers; "
            f"got an array of shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr) & (arr >= 0)):
        bad = arr[~(np.isfinite(arr) & (arr >= 0))][0]
        raise ValueError(
            f"{name} must hold non-negative finite numbers; got {float(bad)!r}"
        )
    return arr


def _composition_inputs(
    epsilons: ArrayLike, deltas: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray]:
    eps = _nonnegative_array("epsilons", epsilons)
    if deltas is None:
        return eps, np.zeros_like(eps)
    dl = _nonnegative_array("deltas", deltas)
    if dl.shape != eps.shape:
        raise ValueError(
            "deltas must have one entry per epsilon; "
            f"got {dl.size} deltas for {eps.size} epsilons"
        )
    if np.any(dl >= 1):
        raise ValueError(f"deltas must lie in [0, 1); got {float(dl.max())!r}")
    return eps, dl


# ---------------------------------------------------------------------------
# Composition
# ---------------------------------------------------------------------------


def sequential_composition(
    epsilons: ArrayLike, deltas: ArrayLike | None = None
) -> tuple[float, float]:
    """Privacy cost of running several mechanisms on the same data.

    Basic composition (Dwork and Roth 2014, Theorem 3.16): if mechanism ``i``
    is ``(epsilon_i, delta_i)``-DP, running all of them (even adaptively) is
    ``(sum epsilon_i, sum delta_i)``-DP.

    Parameters
    ----------
    epsilons : array-like of float
        The epsilon of each mechanism (non-negative, finite).
    deltas : array-like of float, optional
        The delta of each mechanism, in ``[0, 1)``; zeros (pure DP) if omitted.

    Returns
    -------
    tuple of float
        ``(epsilon, delta)`` of the composition. The delta is the plain sum
        and may exceed 1 (a vacuous guarantee) if the inputs are large.

    Raises
    ------
    ValueError
        If an epsilon or delta is negative or not finite, a delta is ``>= 1``,
        or the two sequences differ in length.

    Examples
    --------
    >>> sequential_composition([0.5, 0.25, 0.25])
    (1.0, 0.0)
    >>> sequential_composition([1.0, 1.0], [1e-6, 1e-6])
    (2.0, 2e-06)
    """
    eps, dl = _composition_inputs(epsilons, deltas)
    return math.fsum(eps), math.fsum(dl)


def parallel_composition(
    epsilons: ArrayLike, deltas: ArrayLike | None = None
) -> tuple[float, float]:
    """Privacy cost of mechanisms run on disjoint parts of the data.

    Parallel composition (McSherry 2009): when each person's record falls in
    at most one part and mechanism ``i`` only sees part ``i``, the whole is
    ``(max epsilon_i, max delta_i)``-DP.

    Parameters
    ----------
    epsilons : array-like of float
        The epsilon of each mechanism (non-negative, finite).
    deltas : array-like of float, optional
        The delta of each mechanism, in ``[0, 1)``; zeros if omitted.

    Returns
    -------
    tuple of float
        ``(max epsilon, max delta)``.

    Raises
    ------
    ValueError
        As :func:`sequential_composition`.

    Examples
    --------
    >>> parallel_composition([0.5, 1.0, 0.25])
    (1.0, 0.0)
    """
    eps, dl = _composition_inputs(epsilons, deltas)
    return float(eps.max()), float(dl.max())


def advanced_composition(
    epsilon: float, delta: float, k: int, delta_prime: float
) -> tuple[float, float]:
    """Advanced composition of ``k`` runs of an ``(epsilon, delta)``-DP mechanism.

    Dwork, Rothblum and Vadhan (2010; Dwork and Roth 2014, Theorem 3.20): the
    ``k``-fold adaptive composition is ``(epsilon', k delta + delta_prime)``-DP
    with::

        epsilon' = sqrt(2 k ln(1 / delta_prime)) epsilon + k epsilon (e^epsilon - 1)

    For small epsilon and large k this grows like ``sqrt(k)`` instead of
    ``k``; for few runs basic composition (``k epsilon``) can be smaller, and
    the two may be combined by taking the better one.

    Parameters
    ----------
    epsilon : float
        Epsilon of each run, positive and finite.
    delta : float
        Delta of each run, in ``[0, 1)``.
    k : int
        Number of runs, a positive integer.
    delta_prime : float
        The extra failure probability, in ``(0, 1)``.

    Returns
    -------
    tuple of float
        ``(epsilon', k delta + delta_prime)``.

    Raises
    ------
    ValueError
        If an argument is outside the ranges above.
    TypeError
        If ``k`` is not an integer.

    Examples
    --------
    >>> eps, delta = advanced_composition(0.01, 0.0, 10_000, 1e-6)
    >>> round(eps, 3), delta
    (6.262, 1e-06)
    >>> 10_000 * 0.01  # basic composition
    100.0
    """
    eps = check_positive(epsilon, "epsilon")
    dl = check_real(delta, "delta", low=0.0, high=1.0, high_open=True)
    check_int(k, "k", low=1)
    dp = check_probability(delta_prime, "delta_prime", open_interval=True)
    eps_total = math.sqrt(2 * k * math.log(1 / dp)) * eps + k * eps * math.expm1(eps)
    return eps_total, k * dl + dp


# ---------------------------------------------------------------------------
# zCDP
# ---------------------------------------------------------------------------


def zcdp_of_gaussian(sigma: float, l2_sensitivity: float) -> float:
    """zCDP parameter of the Gaussian mechanism.

    Adding ``N(0, sigma^2)`` noise to each coordinate of a function with L2
    sensitivity ``Delta`` is ``rho``-zCDP with ``rho = Delta^2 / (2 sigma^2)``
    (Bun and Steinke 2016, Proposition 1.6). Its Rényi divergence at order
    ``alpha`` is exactly ``alpha rho``.

    Parameters
    ----------
    sigma : float
        Standard deviation of the noise, positive and finite.
    l2_sensitivity : float
        L2 sensitivity ``Delta``, positive and finite.

    Returns
    -------
    float
        ``rho``.

    Raises
    ------
    ValueError
        If ``sigma`` or ``l2_sensitivity`` is not a positive finite number.

    Examples
    --------
    >>> zcdp_of_gaussian(2.0, 1.0)
    0.125
    """
    s = check_positive(sigma, "sigma")
    d = check_positive(l2_sensitivity, "l2_sensitivity")
    return d * d / (2 * s * s)


def zcdp_of_pure_dp(epsilon: float) -> float:
    """zCDP parameter implied by pure ``epsilon``-DP.

    An ``epsilon``-DP mechanism is ``epsilon^2 / 2``-zCDP (Bun and Steinke
    2016, Proposition 1.4).

    Parameters
    ----------
    epsilon : float
        Positive and finite.

    Returns
    -------
    float
        ``epsilon ** 2 / 2``.

    Raises
    ------
    ValueError
        If ``epsilon`` is not a positive finite number.

    Examples
    --------
    >>> zcdp_of_pure_dp(1.0)
    0.5
    """
    eps = check_positive(epsilon, "epsilon")
    return eps * eps / 2


def gaussian_sigma_for_zcdp(rho: float, l2_sensitivity: float) -> float:
    """Noise standard deviation that makes the Gaussian mechanism ``rho``-zCDP.

    The inverse of :func:`zcdp_of_gaussian`: ``sigma = Delta / sqrt(2 rho)``.

    Parameters
    ----------
    rho : float
        Target zCDP parameter, positive and finite.
    l2_sensitivity : float
        L2 sensitivity ``Delta``, positive and finite.

    Returns
    -------
    float
        ``sigma``.

    Raises
    ------
    ValueError
        If an argument is not a positive finite number.

    Examples
    --------
    >>> gaussian_sigma_for_zcdp(0.125, 1.0)
    2.0
    """
    r = check_positive(rho, "rho")
    d = check_positive(l2_sensitivity, "l2_sensitivity")
    return d / math.sqrt(2 * r)


def _dp_from_rdp_curve(orders: np.ndarray, rdp: np.ndarray, log_delta: float):
    """Epsilon for each order by the Canonne-Kamath-Steinke conversion."""
    return rdp + np.log1p(-1.0 / orders) - (log_delta + np.log(orders)) / (orders - 1.0)


def zcdp_to_dp(rho: float, delta: float) -> float:
    """Convert ``rho``-zCDP to ``(epsilon, delta)``-DP.

    Uses the conversion of Canonne, Kamath and Steinke (2020, Proposition 12)
    applied to the Rényi curve ``alpha -> alpha rho`` and optimised over all
    real orders ``alpha > 1``::

        epsilon = min over alpha > 1 of
            alpha rho + log(1 - 1/alpha) - (log(delta) + log(alpha)) / (alpha - 1)

    It is never larger than the classical ``rho + 2 sqrt(rho log(1/delta))``
    of Bun and Steinke (2016, Proposition 1.3), and for the Gaussian
    mechanism it stays above the exact (analytic) epsilon, as any valid
    conversion must.

    Parameters
    ----------
    rho : float
        zCDP parameter, positive and finite.
    delta : float
        Target delta, in ``(0, 1)``.

    Returns
    -------
    float
        The epsilon, at least 0.

    Raises
    ------
    ValueError
        If ``rho`` is not positive and finite or ``delta`` is not in ``(0, 1)``.

    Examples
    --------
    >>> rho = zcdp_of_gaussian(sigma=4.0, l2_sensitivity=1.0)
    >>> round(zcdp_to_dp(rho, 1e-5), 4)
    1.0123
    >>> round(rho + 2 * math.sqrt(rho * math.log(1e5)), 4)  # classical bound
    1.2309
    """
    r = check_positive(rho, "rho")
    log_delta = math.log(check_probability(delta, "delta", open_interval=True))

    def eps_of(t: float) -> float:
        # Parametrise alpha = 1 + exp(t) so that alpha > 1 on the whole line.
        alpha = 1.0 + math.exp(t)
        return float(_dp_from_rdp_curve(np.array(alpha), alpha * r, log_delta))

    # The classical optimum alpha* = 1 + sqrt(log(1/delta) / rho) is a good
    # centre; the function is unimodal in t, so a bounded search around it works.
    t0 = 0.5 * (math.log(-log_delta) - math.log(r))
    res = optimize.minimize_scalar(
        eps_of,
        bounds=(t0 - 12.0, t0 + 12.0),
        method="bounded",
        options={"xatol": 1e-10},
    )
    classical = r + 2 * math.sqrt(r * -log_delta)
    return max(0.0, min(float(res.fun), classical))


def rho_for_dp(epsilon: float, delta: float) -> float:
    """Largest ``rho`` whose zCDP guarantee implies ``(epsilon, delta)``-DP.

    The inverse of :func:`zcdp_to_dp`, found by bisection (``zcdp_to_dp`` is
    increasing in ``rho``). Use it to calibrate Gaussian noise to an
    ``(epsilon, delta)`` target through zCDP.

    Parameters
    ----------
    epsilon : float
        Target epsilon, positive and finite.
    delta : float
        Target delta, in ``(0, 1)``.

    Returns
    -------
    float
        ``rho`` with ``zcdp_to_dp(rho, delta) <= epsilon`` (equal up to a
        relative ``1e-10``).

    Raises
    ------
    ValueError
        If ``epsilon`` is not positive and finite or ``delta`` not in ``(0, 1)``.

    Examples
    --------
    >>> rho = rho_for_dp(1.0, 1e-5)
    >>> round(rho, 5)
    0.03056
    >>> zcdp_to_dp(rho, 1e-5) <= 1.0
    True
    """
    eps = check_positive(epsilon, "epsilon")
    dl = check_probability(delta, "delta", open_interval=True)
    lo, hi = 0.0, eps  # zcdp_to_dp(eps, delta) >= rho = eps, so hi is too big
    while zcdp_to_dp(hi, dl) <= eps:  # pragma: no cover - defensive
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if zcdp_to_dp(mid, dl) <= eps:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return lo


# ---------------------------------------------------------------------------
# Rényi DP of the subsampled Gaussian (DP-SGD)
# ---------------------------------------------------------------------------


def _orders_array(orders: ArrayLike) -> np.ndarray:
    arr = np.asarray(orders)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"orders must be a non-empty 1-D sequence of integers >= 2; "
            f"got an array of shape {arr.shape}"
        )
    as_float = arr.astype(float)
    if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
        raise ValueError(f"orders must be integers >= 2; got {arr.tolist()!r}")
    if np.any(as_float < 2):
        raise ValueError(f"orders must be integers >= 2; got {float(as_float.min())!r}")
    return as_float.astype(np.int64)


@functools.lru_cache(maxsize=16)
def _binomial_table(
    alphas: tuple[int, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log binom(alpha, k), alpha - k (0 where k > alpha) and k, for k = 0..max.

    Independent of q and sigma, so cached: calibrating DP-SGD evaluates the
    accountant dozens of times on the same orders.
    """
    a = np.asarray(alphas, dtype=float)[:, None]
    kf = np.arange(max(alphas) + 1, dtype=float)[None, :]
    valid = kf <= a
    a_minus_k = np.where(valid, a - kf, 0.0)
    log_binom = np.where(
        valid,
        special.gammaln(a + 1)
        - special.gammaln(kf + 1)
        - special.gammaln(a_minus_k + 1),
        -np.inf,
    )
    for arr in (log_binom, a_minus_k, kf):
        arr.flags.writeable = False
    return log_binom, a_minus_k, kf


def rdp_subsampled_gaussian(
    q: float, noise_multiplier: float, steps: int, orders: ArrayLike = DEFAULT_ORDERS
) -> np.ndarray:
    """Rényi DP of ``steps`` rounds of the Poisson-subsampled Gaussian mechanism.

    This is the accountant of DP-SGD: each round includes every example
    independently with probability ``q`` (Poisson subsampling), sums the
    examples' clipped gradients (L2 sensitivity ``C`` under adding or removing
    one example) and adds ``N(0, (noise_multiplier * C)^2)`` noise per
    coordinate. For an integer order ``alpha >= 2``, one round has Rényi DP
    (Mironov, Talwar and Zhang 2019, Section 3.3)::

        eps(alpha) = 1/(alpha - 1) * log sum_{k=0}^{alpha} binom(alpha, k)
                     (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2))

    with ``sigma = noise_multiplier``; the sum is evaluated in log space
    (log-sum-exp), so large orders and small ``sigma`` do not overflow. Rényi DP composes additively, so ``steps`` rounds cost
    ``steps * eps(alpha)``. With ``q = 1`` this is the plain Gaussian
    mechanism, ``alpha / (2 sigma^2)`` per round.

    Parameters
    ----------
    q : float
        Sampling probability, in ``(0, 1]``.
    noise_multiplier : float
        Noise standard deviation divided by the L2 sensitivity, positive
        and finite.
    steps : int
        Number of rounds, a non-negative integer.
    orders : array-like of int, default 2, 3, ..., 256
        Integer Rényi orders, each at least 2.

    Returns
    -------
    numpy.ndarray
        The Rényi DP at each order, shape ``(len(orders),)``.

    Raises
    ------
    ValueError
        If ``q`` is not in ``(0, 1]``, ``noise_multiplier`` is not positive
        and finite, ``steps`` is negative or an order is not an integer >= 2.
    TypeError
        If ``steps`` is not an integer.

    Examples
    --------
    >>> rdp_subsampled_gaussian(1.0, 2.0, 1, orders=[2, 4])  # alpha / (2 sigma^2)
    array([0.25, 0.5 ])
    >>> rdp = rdp_subsampled_gaussian(0.01, 1.0, 1000, orders=[2, 8, 32])
    >>> np.round(rdp, 4)  # small noise: high orders blow up
    array([1.71800000e-01, 8.93600000e-01, 1.12462759e+04])
    """
    qf = check_real(q, "q", low=0.0, high=1.0, low_open=True)
    sigma = check_positive(noise_multiplier, "noise_multiplier")
    check_int(steps, "steps", low=0)
    alphas = _orders_array(orders)
    if qf == 1.0:
        return steps * alphas / (2 * sigma * sigma)

    log_binom, a_minus_k, kf = _binomial_table(tuple(alphas.tolist()))
    log_terms = (
        log_binom
        + special.xlog1py(a_minus_k, -qf)
        + kf * math.log(qf)
        + (kf * kf - kf) / (2 * sigma * sigma)
    )
    # logsumexp over k; the k = 0 term alpha log(1 - q) is finite, so the row
    # maximum is finite and exp(-inf - max) = 0 needs no special case.
    top = log_terms.max(axis=1)
    log_a = top + np.log(np.exp(log_terms - top[:, None]).sum(axis=1))
    # log A_alpha >= 0 mathematically; clip tiny negative rounding errors.
    return steps * np.maximum(log_a, 0.0) / (alphas - 1.0)


def rdp_to_dp(orders: ArrayLike, rdp: ArrayLike, delta: float) -> tuple[float, float]:
    """Convert a Rényi DP curve to ``(epsilon, delta)``-DP.

    For each order the conversion of Canonne, Kamath and Steinke (2020,
    Proposition 12; Balle et al. 2020, Theorem 21) gives::

        epsilon(alpha) = rdp(alpha) + log((alpha - 1) / alpha)
                         - (log(delta) + log(alpha)) / (alpha - 1)

    and the best (smallest) one is returned with its order. Negative values
    are reported as 0.

    Parameters
    ----------
    orders : array-like of float
        Rényi orders, each greater than 1.
    rdp : array-like of float
        Rényi DP at those orders (non-negative, may be ``inf``).
    delta : float
        Target delta, in ``(0, 1)``.

    Returns
    -------
    tuple of float
        ``(epsilon, best_order)``.

    Raises
    ------
    ValueError
        If the shapes differ, an order is ``<= 1``, an RDP value is negative
        or NaN, or ``delta`` is not in ``(0, 1)``.

    Examples
    --------
    >>> orders = np.arange(2, 257)
    >>> rdp = rdp_subsampled_gaussian(0.01, 4.0, 10_000, orders)
    >>> eps, order = rdp_to_dp(orders, rdp, 1e-5)
    >>> round(eps, 3), order
    (1.035, 17.0)

    With the classical conversion ``rdp + log(1/delta) / (alpha - 1)`` the
    same curve gives 1.26, the value Abadi et al. (2016) report for this
    setting (q = 0.01, sigma = 4, 10,000 steps, delta = 1e-5):

    >>> round(float(np.min(rdp + np.log(1e5) / (orders - 1))), 2)
    1.26
    """
    a = np.atleast_1d(np.asarray(orders, dtype=float))
    r = np.atleast_1d(np.asarray(rdp, dtype=float))
    if a.ndim != 1 or a.size == 0 or a.shape != r.shape:
        raise ValueError(
            "orders and rdp must be 1-D arrays of the same non-zero length; "
            f"got shapes {a.shape} and {r.shape}"
        )
    if not np.all(np.isfinite(a) & (a > 1)):
        raise ValueError(f"orders must be finite numbers > 1; got {a.min()!r}")
    if np.any(np.isnan(r) | (r < 0)):
        raise ValueError(
            "rdp must hold non-negative numbers (inf allowed); got NaN "
            "or a negative value"
        )
    log_delta = math.log(check_probability(delta, "delta", open_interval=True))
    eps = _dp_from_rdp_curve(a, r, log_delta)
    i = int(np.argmin(eps))
    return max(0.0, float(eps[i])), float(a[i])


# ---------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------


class BudgetExceededError(ValueError):
    """A query would spend more privacy than the budget has left.

    Raised by :meth:`PrivacyBudget.spend` and :meth:`ZCDPBudget.spend`
    *before* anything is recorded; the message says how much is left.
    Subclass of :class:`ValueError`.
    """


class Spend(NamedTuple):
    """An ``(epsilon, delta)`` pair: a query's cost, or a budget's total."""

    epsilon: float
    delta: float


class PrivacyBudget:
    """A ledger of ``(epsilon, delta)`` spending under basic composition.

    Every query states its cost with :meth:`spend`; the budget records it if
    the running totals (sums, as in :func:`sequential_composition`) stay
    within ``(epsilon, delta)`` and otherwise raises
    :class:`BudgetExceededError` without recording anything, so the query
    must not run. Totals are compared with a relative tolerance of ``1e-9``
    so that, for example, ten queries of 0.1 fit into a budget of 1.

    Parameters
    ----------
    epsilon : float
        Total epsilon available, positive and finite.
    delta : float, default 0.0
        Total delta available, in ``[0, 1)``.

    Attributes
    ----------
    epsilon, delta : float
        The total budget.
    history : list of Spend
        The recorded queries, in order (a copy).

    Raises
    ------
    ValueError
        If ``epsilon`` or ``delta`` is out of range.

    Examples
    --------
    >>> budget = PrivacyBudget(1.0)
    >>> budget.spend(0.25)
    >>> budget.spend(0.5)
    >>> budget.remaining
    Spend(epsilon=0.25, delta=0.0)
    >>> budget.spend(0.5)
    Traceback (most recent call last):
    ...
    course_lib.privacy._accounting.BudgetExceededError: epsilon must be at most the 0.25 left of the budget of 1; got 0.5. Spend less (e.g. a larger noise scale) or start a new budget.
    >>> budget.spent
    Spend(epsilon=0.75, delta=0.0)
    """

    def __init__(self, epsilon: float, delta: float = 0.0) -> None:
        self.epsilon = check_positive(epsilon, "epsilon")
        self.delta = check_real(delta, "delta", low=0.0, high=1.0, high_open=True)
        self._history: list[Spend] = []

    def __repr__(self) -> str:
        eps, dl = self.spent
        return (
            f"PrivacyBudget(epsilon={self.epsilon!r}, delta={self.delta!r}; "
            f"spent epsilon={eps!r}, delta={dl!r} in {len(self._history)} queries)"
        )

    @property
    def history(self) -> list[Spend]:
        """The recorded queries, oldest first."""
        return list(self._history)

    @property
    def spent(self) -> Spend:
        """Total ``(epsilon, delta)`` spent so far (sums)."""
        return Spend(
            math.fsum(s.epsilon for s in self._history),
            math.fsum(s.delta for s in self._history),
        )

    @property
    def remaining(self) -> Spend:
        """``(epsilon, delta)`` still available (never negative)."""
        eps, dl = self.spent
        return Spend(max(0.0, self.epsilon - eps), max(0.0, self.delta - dl))

    def spend(self, epsilon: float, delta: float = 0.0) -> None:
        """Record a query costing ``(epsilon, delta)``, or refuse it.

        Parameters
        ----------
        epsilon : float
            The query's epsilon, non-negative and finite.
        delta : float, default 0.0
            The query's delta, in ``[0, 1)``.

        Raises
        ------
        BudgetExceededError
            If the query would take the totals over the budget; nothing is
            recorded.
        ValueError
            If ``epsilon`` or ``delta`` is out of range.
        """
        eps = check_real(epsilon, "epsilon", low=0.0)
        dl = check_real(delta, "delta", low=0.0, high=1.0, high_open=True)
        spent_eps, spent_dl = self.spent
        left_eps, left_dl = self.remaining
        if spent_eps + eps > self.epsilon * (1 + _BUDGET_RTOL):
            raise BudgetExceededError(
                f"epsilon must be at most the {left_eps:.6g} left of the budget of "
                f"{self.epsilon:.6g}; got {eps:.6g}. Spend less (e.g. a larger noise "
                "scale) or start a new budget."
            )
        if spent_dl + dl > self.delta * (1 + _BUDGET_RTOL):
            raise BudgetExceededError(
                f"delta must be at most the {left_dl:.6g} left of the budget of "
                f"{self.delta:.6g}; got {dl:.6g}. Use a pure-DP mechanism or a smaller "
                "delta, or start a new budget."
            )
        self._history.append(Spend(eps, dl))


class ZCDPBudget:
    """A ledger of zCDP spending: the ``rho`` of the queries add up.

    Like :class:`PrivacyBudget`, but in ``rho`` (zCDP composes by adding
    ``rho``, Bun and Steinke 2016, Lemma 2.3). :meth:`to_dp` states what the
    spending so far means in ``(epsilon, delta)``.

    Parameters
    ----------
    rho : float
        Total ``rho`` available, positive and finite.

    Raises
    ------
    ValueError
        If ``rho`` is not a positive finite number.

    Examples
    --------
    >>> budget = ZCDPBudget(0.5)
    >>> budget.spend(zcdp_of_gaussian(sigma=2.0, l2_sensitivity=1.0))
    >>> budget.spent, budget.remaining
    (0.125, 0.375)
    >>> round(budget.to_dp(1e-6), 3)
    2.419
    """

    def __init__(self, rho: float) -> None:
        self.rho = check_positive(rho, "rho")
        self._history: list[float] = []

    def __repr__(self) -> str:
        return (
            f"ZCDPBudget(rho={self.rho!r}; spent rho={self.spent!r} "
            f"in {len(self._history)} queries)"
        )

    @property
    def history(self) -> list[float]:
        """The ``rho`` of each recorded query, oldest first."""
        return list(self._history)

    @property
    def spent(self) -> float:
        """Total ``rho`` spent so far."""
        return math.fsum(self._history)

    @property
    def remaining(self) -> float:
        """``rho`` still available (never negative)."""
        return max(0.0, self.rho - self.spent)

    def spend(self, rho: float) -> None:
        """Record a query costing ``rho``, or refuse it.

        Parameters
        ----------
        rho : float
            The query's zCDP parameter, non-negative and finite.

        Raises
        ------
        BudgetExceededError
            If the total would exceed the budget; nothing is recorded.
        ValueError
            If ``rho`` is negative or not finite.
        """
        r = check_real(rho, "rho", low=0.0)
        if self.spent + r > self.rho * (1 + _BUDGET_RTOL):
            raise BudgetExceededError(
                f"rho must be at most the {self.remaining:.6g} left of the budget of "
                f"{self.rho:.6g}; got {r:.6g}. Spend less (e.g. a larger noise "
                "scale) or start a new budget."
            )
        self._history.append(r)

    def to_dp(self, delta: float) -> float:
        """Epsilon of the spending so far at ``delta`` (see :func:`zcdp_to_dp`).

        Parameters
        ----------
        delta : float
            In ``(0, 1)``.

        Returns
        -------
        float
            The epsilon; 0 if nothing has been spent.
        """
        dl = check_probability(delta, "delta", open_interval=True)
        spent = self.spent
        return 0.0 if spent == 0 else zcdp_to_dp(spent, dl)
