"""Exact statistical checks for the hidden tests of randomised answers.

A randomised part (a privacy mechanism, a noisy count) cannot be checked
against one expected value: its check asks whether what the student's code
returned is plausible under the right distribution, at a stated
false-failure rate ``alpha``. These are the tests several homework share;
each one fails a correct answer with probability at most ``alpha``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["binomial_ok", "signs_independent"]


def binomial_ok(
    k: int, n: int, p: float, alpha: float, *, p_high: float | None = None
) -> bool:
    """Whether ``k`` successes in ``n`` trials fit a success probability ``p``.

    An exact two-sided binomial test, ``alpha / 2`` in each tail. With
    ``p_high``, any probability in ``[p, p_high]`` fits: the lower tail is
    taken at ``p`` and the upper one at ``p_high``, so a correct answer
    whose probability lies anywhere in the interval fails with probability
    at most ``alpha``.

    Parameters
    ----------
    k, n : int
        Successes and trials, ``0 <= k <= n``.
    p : float
        The success probability (the interval's lower end with ``p_high``).
    alpha : float
        The false-failure rate, in (0, 1).
    p_high : float, optional
        The interval's upper end, ``p <= p_high``.

    Returns
    -------
    bool
        True if ``k`` is plausible, False if the test rejects it.

    Examples
    --------
    >>> binomial_ok(480, 1000, 0.5, 1e-6)
    True
    >>> binomial_ok(400, 1000, 0.5, 1e-6)
    False
    >>> binomial_ok(400, 1000, 0.38, 1e-6, p_high=0.42)
    True
    """
    high = p if p_high is None else p_high
    return bool(
        stats.binom.cdf(k, n, p) >= alpha / 2
        and stats.binom.sf(k - 1, n, high) >= alpha / 2
    )


def signs_independent(noise: np.ndarray, alpha: float) -> bool:
    """Whether neighbouring noise values have independent signs: a sign test.

    Independent noise from a continuous distribution symmetric about 0 has
    independent fair signs, so the products of neighbouring signs are
    independent fair signs too: the number of neighbours with the same sign
    is Binomial(m - 1, 1/2) over the m non-zero values, exactly. Noise that
    was drawn once and repeated, or that drifts, fails.

    Parameters
    ----------
    noise : numpy.ndarray
        The noise, in the order it was added (zeros are left out).
    alpha : float
        The false-failure rate, in (0, 1).

    Returns
    -------
    bool
        True if the signs are plausible as independent fair signs.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noise = rng.laplace(size=10_000)
    >>> signs_independent(noise, 1e-6)
    True
    >>> signs_independent(np.repeat(noise[:5_000], 2), 1e-6)
    False
    """
    positive = np.asarray(noise)[np.asarray(noise) != 0] > 0
    same = int(np.sum(positive[1:] == positive[:-1]))
    return binomial_ok(same, positive.size - 1, 0.5, alpha)
