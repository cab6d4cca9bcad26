"""Exact discrete noise, and the floating-point attack it prevents.

The textbook Laplace sampler, ``-b sign(u) log(1 - 2|u|)`` with ``u`` a
double, does not produce a Laplace distribution: it produces a finite set of
doubles, and the set reachable from one input differs from the set reachable
from its neighbour. Mironov (2012) showed that many released values then
reveal the input with certainty (:func:`naive_laplace`,
:func:`mironov_attack`).

The cure used by OpenDP and the 2020 US Census is to add noise on the
integers, sampled exactly with integer arithmetic: Canonne, Kamath and Steinke
(2020), "The Discrete Gaussian for Differential Privacy", Algorithms 1-3
(:func:`discrete_laplace`, :func:`discrete_gaussian`,
:func:`discrete_laplace_mechanism`). Only ``rng.integers`` is used, so every
probability is an exact rational computation and the privacy guarantee holds
exactly. The rejection loops are vectorised: each round works on the array of
draws not yet finished, so the Python loop runs over rounds (a few dozen),
never over draws.

Parameters are rationals (``int`` or :class:`fractions.Fraction`) whose
numerator and denominator are at most ``2**40``, so that every intermediate
integer fits in int64.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from course_lib._checks import check_int, check_positive
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "discrete_gaussian",
    "discrete_laplace",
    "discrete_laplace_mechanism",
    "mironov_attack",
    "naive_laplace",
]

_MAX_INT = 2**40  # bound on numerators/denominators of parameters
_EPS_DENOMINATOR = 10**6  # limit_denominator for float epsilons


# --------------------------------------------------------------------------
# Exact Bernoulli samplers (CKS 2020, Algorithm 1)
# --------------------------------------------------------------------------


def _bernoulli_exp_le1(num: np.ndarray, den: int | np.ndarray, rng) -> np.ndarray:
    """Exact Bernoulli(exp(-num/den)) for 0 <= num/den <= 1 (vectorised).

    CKS Algorithm 1, first case: draw A_K ~ Bernoulli(γ/K) for K = 1, 2, ...
    until the first A_K = 0; return 1 iff that K is odd.
    """
    num = np.asarray(num, dtype=np.int64)
    n = num.size
    den = np.broadcast_to(np.asarray(den, dtype=np.int64), num.shape)
    result = np.empty(n, dtype=bool)
    active = np.arange(n)
    k = 1
    while active.size:
        # A ~ Bernoulli(num / (den * k)), exactly, with one integer draw.
        a = rng.integers(0, den[active] * k) < num[active]
        stopped = active[~a]
        result[stopped] = k % 2 == 1
        active = active[a]
        k += 1
    return result


def _bernoulli_exp(num: np.ndarray, den: int | np.ndarray, rng) -> np.ndarray:
    """Exact Bernoulli(exp(-num/den)) for any num/den >= 0 (vectorised).

    CKS Algorithm 1, second case: exp(-γ) = exp(-1)^floor(γ) exp(-(γ - floor γ)).
    The floor(γ) Bernoulli(exp(-1)) trials stop at the first failure.
    """
    num = np.asarray(num, dtype=np.int64)
    den_arr = np.broadcast_to(np.asarray(den, dtype=np.int64), num.shape)
    whole = num // den_arr
    result = _bernoulli_exp_le1(num - whole * den_arr, den_arr, rng)
    active = np.flatnonzero(result & (whole > 0))
    while active.size:
        ok = _bernoulli_exp_le1(np.ones(active.size, np.int64), 1, rng)
        result[active[~ok]] = False
        whole[active] -= 1
        active = active[ok & (whole[active] > 0)]
    return result


def _geometric_exp1(n: int, rng) -> np.ndarray:
    """Number of successes before the first failure of Bernoulli(exp(-1))."""
    v = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    while active.size:
        ok = _bernoulli_exp_le1(np.ones(active.size, np.int64), 1, rng)
        active = active[ok]
        v[active] += 1
    return v


# --------------------------------------------------------------------------
# Discrete Laplace and Gaussian (CKS 2020, Algorithms 2 and 3)
# --------------------------------------------------------------------------


def _as_rational(x: Any, name: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral | Fraction):
        raise TypeError(
            f"{name} must be a positive int or fractions.Fraction (exact sampling "
            f"needs a rational); got {type(x).__name__} {x!r}; use e.g. "
            "Fraction(3, 2) or Fraction(x).limit_denominator(10**6)"
        )
    frac = Fraction(x)
    if frac <= 0:
        raise ValueError(f"{name} must be positive; got {x!r}")
    if frac.numerator > _MAX_INT or frac.denominator > _MAX_INT:
        raise ValueError(
            f"{name} must have numerator and denominator at most 2**40; got "
            f"{frac}; use Fraction(...).limit_denominator(10**6)"
        )
    return frac


def _discrete_laplace_flat(t: int, s: int, n: int, rng) -> np.ndarray:
    """n exact draws with P(z) ∝ exp(-|z| s / t) (CKS Algorithm 2)."""
    out = np.empty(n, dtype=np.int64)
    pending = np.arange(n)
    while pending.size:
        m = pending.size
        u = rng.integers(0, t, size=m)
        d = _bernoulli_exp_le1(u, t, rng)
        v = _geometric_exp1(m, rng)
        y = (u + t * v) // s
        b = rng.integers(0, 2, size=m)
        accept = d & ~((b == 1) & (y == 0))
        out[pending[accept]] = ((1 - 2 * b) * y)[accept]
        pending = pending[~accept]
    return out


def _shape(size: Any) -> tuple[int, ...] | None:
    if size is None:
        return None
    if isinstance(size, numbers.Integral):
        return (check_int(size, "size", low=1),)
    shape = tuple(size)
    for dim in shape:
        if not isinstance(dim, numbers.Integral) or dim < 0:
            raise ValueError(
                f"size must be None, an int or a tuple of ints; got {size!r}"
            )
    return tuple(int(d) for d in shape)


def discrete_laplace(
    scale: int | Fraction, size: int | tuple[int, ...] | None = None, *, rng
) -> int | np.ndarray:
    """Exact samples of the discrete Laplace distribution on the integers.

    ``P(X = x) = (e^{1/b} - 1) / (e^{1/b} + 1) exp(-|x| / b)`` for every
    integer ``x``, with ``b = scale``. Sampled exactly by Canonne, Kamath and
    Steinke (2020) Algorithm 2 with integer arithmetic only (uniform integers
    and exact Bernoulli(exp(-γ)) for rational ``γ``, their Algorithm 1).
    Adding it to an integer query of sensitivity ``Δ`` with
    ``scale = Δ/ε`` is exactly ``epsilon``-DP (see
    :func:`discrete_laplace_mechanism`).

    Parameters
    ----------
    scale : int or fractions.Fraction
        Positive rational scale ``b = t/s`` (floats are refused: exactness
        needs a rational).
    size : int or tuple of int, optional
        Output shape; None for one draw.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    int or numpy.ndarray
        A Python int for ``size=None``, else an int64 array.

    Raises
    ------
    TypeError
        If ``scale`` is not an int or Fraction, or ``rng`` not a Generator.
    ValueError
        If ``scale`` is not positive or too large to sample in int64.

    Examples
    --------
    >>> import numpy as np
    >>> from fractions import Fraction
    >>> rng = np.random.default_rng(0)
    >>> x = discrete_laplace(Fraction(5, 2), size=100_000, rng=rng)
    >>> x.dtype, round(float(x.mean()), 1)
    (dtype('int64'), 0.0)
    """
    b = _as_rational(scale, "scale")
    _check_rng(rng)
    shape = _shape(size)
    n = 1 if shape is None else math.prod(shape)
    draws = _discrete_laplace_flat(b.numerator, b.denominator, n, rng)
    return int(draws[0]) if shape is None else draws.reshape(shape)


def discrete_gaussian(
    sigma2: int | Fraction, size: int | tuple[int, ...] | None = None, *, rng
) -> int | np.ndarray:
    """Exact samples of the discrete Gaussian on the integers.

    ``P(X = x) ∝ exp(-x² / (2σ²))`` for every integer ``x``. Canonne, Kamath
    and Steinke (2020) Algorithm 3: with ``t = floor(σ) + 1``, draw
    ``Y`` discrete Laplace of scale ``t`` and accept it with probability
    ``exp(-(|Y| - σ²/t)² / (2σ²))`` (exactly, integer arithmetic only).
    Adding it to an integer query of L2 sensitivity ``Δ`` is
    ``Δ²/(2σ²)``-zCDP (CKS Theorem 4).

    Parameters
    ----------
    sigma2 : int or fractions.Fraction
        The positive rational ``σ²`` (floats are refused).
    size : int or tuple of int, optional
        Output shape; None for one draw.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    int or numpy.ndarray
        A Python int for ``size=None``, else an int64 array.

    Raises
    ------
    TypeError
        If ``sigma2`` is not an int or Fraction, or ``rng`` not a Generator.
    ValueError
        If ``sigma2`` is not positive or too large to sample in int64.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = discrete_gaussian(4, size=100_000, rng=rng)
    >>> round(float(x.var()), 1)
    4.0
    """
    s2 = _as_rational(sigma2, "sigma2")
    _check_rng(rng)
    shape = _shape(size)
    n = 1 if shape is None else math.prod(shape)
    a, b = s2.numerator, s2.denominator  # σ² = a / b
    t = math.isqrt(a // b) + 1  # floor(σ) + 1
    den = 2 * a * b * t * t
    if den > 2**56:
        raise ValueError(
            f"sigma2 must have a smaller numerator/denominator; got {s2}; use "
            "Fraction(sigma2).limit_denominator(1000)"
        )
    # γ = (|Y| - σ²/t)² / (2σ²) = (|Y| b t - a)² / den, evaluated exactly.
    # (|Y| b t - a)² overflows int64 only for |Y| so large that acceptance is
    # astronomically unlikely; those rare rows use Python integers.
    limit = 3_000_000_000
    out = np.empty(n, dtype=np.int64)
    pending = np.arange(n)
    while pending.size:
        y = _discrete_laplace_flat(t, 1, pending.size, rng)
        m = np.abs(y) * (b * t) - a
        big = np.abs(m) > limit
        m_small = np.where(big, 0, m)
        sq = m_small * m_small
        whole = sq // den
        rem = sq - whole * den
        if big.any():
            mm = m[big].astype(object) ** 2
            whole[big] = np.minimum(mm // den, 2**62).astype(np.int64)
            rem[big] = (mm % den).astype(np.int64)
        accept = _bernoulli_exp(rem, den, rng) & _exp1_power(whole, rng)
        out[pending[accept]] = y[accept]
        pending = pending[~accept]
    return int(out[0]) if shape is None else out.reshape(shape)


def _exp1_power(whole: np.ndarray, rng) -> np.ndarray:
    """Exact Bernoulli(exp(-whole)) for integer arrays ``whole >= 0``."""
    result = np.ones(whole.size, dtype=bool)
    remaining = whole.copy()
    active = np.flatnonzero(remaining > 0)
    while active.size:
        ok = _bernoulli_exp_le1(np.ones(active.size, np.int64), 1, rng)
        result[active[~ok]] = False
        remaining[active] -= 1
        active = active[ok & (remaining[active] > 0)]
    return result


def discrete_laplace_mechanism(
    value: ArrayLike, sensitivity: int, epsilon: float | Fraction, *, rng
) -> int | np.ndarray:
    """Integer answer(s) plus exact discrete Laplace noise of scale ``Δ/ε``.

    Privacy: **epsilon-DP** exactly (no floating point involved) for integer
    queries of L1 sensitivity ``Δ``: ``P(z) ∝ exp(-ε |z - value| / Δ)``. The
    epsilon used is a rational: a Fraction is used as is; a float is
    converted with ``Fraction(epsilon).limit_denominator(10**6)`` and, if that
    rounds up, rounded down to the same denominator, so the epsilon actually
    spent is never above the one requested (and within 1e-6 of it).

    Parameters
    ----------
    value : int or array_like of int
        The true integer answer(s).
    sensitivity : int
        Positive integer L1 sensitivity ``Δ``.
    epsilon : float or fractions.Fraction
        Positive and finite.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    int or numpy.ndarray
        A Python int for a scalar ``value``, else an int64 array of its shape.

    Raises
    ------
    TypeError
        If ``value`` is not integer, ``sensitivity`` not an integer,
        ``epsilon`` not a real number, or ``rng`` is not a Generator.
    ValueError
        If ``sensitivity`` is not positive or ``epsilon`` not a positive finite
        number.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> out = discrete_laplace_mechanism(np.array([10, 20]), 1, 0.5, rng=rng)
    >>> out.dtype, out.shape
    (dtype('int64'), (2,))
    """
    check_int(sensitivity, "sensitivity", low=1)
    if isinstance(epsilon, Fraction):
        check_positive(epsilon, "epsilon")
        eps = epsilon
    else:
        exact = Fraction(check_positive(epsilon, "epsilon"))
        eps = exact.limit_denominator(_EPS_DENOMINATOR)
        if eps > exact:
            eps = Fraction(math.floor(exact * eps.denominator), eps.denominator)
        if eps <= 0:
            raise ValueError(f"epsilon must be at least 1e-6; got {epsilon!r}")
    _check_rng(rng)
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"value must be integer; got dtype {arr.dtype}")
    noise = discrete_laplace(
        Fraction(int(sensitivity)) / eps,
        size=None if arr.ndim == 0 else arr.shape,
        rng=rng,
    )
    if arr.ndim == 0:
        return int(arr) + noise
    return arr.astype(np.int64) + noise


# --------------------------------------------------------------------------
# The floating-point attack (Mironov 2012)
# --------------------------------------------------------------------------


def _naive_noise(u: np.ndarray, scale: float) -> np.ndarray:
    """The textbook transform; naive_laplace and the attack share it."""
    with np.errstate(divide="ignore"):
        return -scale * np.sign(u) * np.log(1.0 - 2.0 * np.abs(u))


def naive_laplace(
    scale: float, size: int | tuple[int, ...] | None = None, *, rng
) -> float | np.ndarray:
    """Laplace noise by the textbook floating-point inverse CDF (insecure).

    ``u = rng.random() - 0.5`` (a 53-bit double in ``[-1/2, 1/2)``), noise
    ``-scale * sign(u) * log(1 - 2|u|)``, as diffprivlib-era code did. Its
    distribution is close to ``Lap(scale)`` but supported on a sparse,
    input-dependent set of doubles, so ``value + naive_laplace(Δ/ε)`` is
    **not** epsilon-DP: see :func:`mironov_attack`. For teaching only.

    Parameters
    ----------
    scale : float
        Positive finite scale.
    size : int or tuple of int, optional
        Output shape; None for one draw.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    float or numpy.ndarray
        The noise.

    Raises
    ------
    ValueError
        If ``scale`` is not a positive finite number.
    TypeError
        If ``scale`` is not a real number or ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> round(float(naive_laplace(2.0, size=100_000, rng=rng).var()))
    8
    """
    scale = check_positive(scale, "scale")
    _check_rng(rng)
    shape = _shape(size)
    u = rng.random(shape) - 0.5
    noise = _naive_noise(np.asarray(u), scale)
    return float(noise) if shape is None else noise


def mironov_attack(
    output: ArrayLike, candidates: ArrayLike, scale: float
) -> np.ndarray:
    """Which candidate inputs could have produced each output exactly?

    For a release ``y = x + naive_laplace(scale)`` (float64 addition), input
    ``c`` is possible iff some 53-bit ``u`` gives exactly
    ``c + noise(u) == y``. The map ``u -> c + noise(u)`` is monotone, so a
    vectorised binary search over the ``2**53`` values of ``u`` (53 steps over
    all output-candidate pairs) finds whether ``y`` is hit. A False entry
    rules the candidate out with certainty (Mironov 2012): the privacy loss
    of that output is infinite.

    Parameters
    ----------
    output : array_like of float
        Released values (any shape).
    candidates : array_like of float
        Candidate true inputs (1-D).
    scale : float
        The noise scale used.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``output.shape + (len(candidates),)``: True where the candidate
        can produce the output.

    Raises
    ------
    ValueError
        If ``scale`` is not a positive finite number or ``candidates`` is not
        1-D.
    TypeError
        If ``scale`` is not a real number.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = 0.0 + naive_laplace(1.0, size=10_000, rng=rng)
    >>> possible = mironov_attack(y, [0.0, 1.0], 1.0)
    >>> bool(possible[:, 0].all())  # the true input is never ruled out
    True
    >>> float((~possible[:, 1]).mean()) > 0.3  # input 1 often ruled out
    True
    """
    scale = check_positive(scale, "scale")
    y = np.asarray(output, dtype=float)
    c = np.asarray(candidates, dtype=float)
    if c.ndim != 1:
        raise ValueError(f"candidates must be 1-D; got shape {c.shape}")
    yy, cc = np.broadcast_arrays(y[..., None], c)
    yy, cc = yy.ravel(), cc.ravel()
    two53 = 2**53

    def release(k: np.ndarray) -> np.ndarray:
        u = k.astype(float) / two53 - 0.5  # exactly what rng.random() - 0.5 gives
        return cc_sel + _naive_noise(u, scale)

    # Smallest k in [0, 2**53) with release(k) >= y (monotone in k).
    lo = np.zeros(yy.size, dtype=np.int64)
    hi = np.full(yy.size, two53, dtype=np.int64)
    cc_sel = cc
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = lo + (hi - lo) // 2
        below = release(mid) < yy
        lo = np.where(open_ & below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)
    # Check the boundary and its neighbours (robust to a one-ulp wobble of log).
    hit = np.zeros(yy.size, dtype=bool)
    for offset in (-2, -1, 0, 1, 2):
        k = np.clip(lo + offset, 0, two53 - 1)
        hit |= release(k) == yy
    return hit.reshape((*y.shape, c.size))
