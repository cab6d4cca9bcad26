"""Statistical privacy audits: empirical lower bounds on epsilon.

A mechanism ``M`` is ``(ε, δ)``-DP when, for neighbouring inputs ``D, D'``
and every event ``E``, ``P(M(D) ∈ E) <= e^ε P(M(D') ∈ E) + δ``. Running the
mechanism ``n`` times on each input and counting how often ``E`` happens gives
Clopper-Pearson confidence bounds ``p_lower <= P(M(D) ∈ E)`` and
``P(M(D') ∈ E) <= p_upper``, hence the lower confidence bound

    ε >= ln((p_lower - δ) / p_upper).

If the claimed epsilon is below this bound, the implementation is broken
(with the stated confidence). An audit never proves privacy: it can only
refute a claim, and its power depends on choosing neighbouring inputs and
events where the privacy loss is large.

- :func:`epsilon_lower_bound`: one event, one direction;
- :func:`audit_mechanism`: runs a mechanism, tries several events in both
  directions with a Bonferroni split of ``alpha``, and reports the best bound;
- :func:`threshold_events`, :func:`equality_events`: ready-made events for
  scalar and discrete outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import beta

from course_lib._checks import check_int, check_probability, check_real
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "AuditResult",
    "audit_mechanism",
    "epsilon_lower_bound",
    "equality_events",
    "threshold_events",
]

Event = Callable[[np.ndarray], np.ndarray]


def _cp_lower(k: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper-Pearson lower bound: P(p < bound) <= alpha."""
    k = np.asarray(k)
    safe = np.maximum(k, 1)
    return np.where(k == 0, 0.0, beta.ppf(alpha, safe, n - safe + 1))


def _cp_upper(k: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper-Pearson upper bound: P(p > bound) <= alpha."""
    k = np.asarray(k)
    safe = np.minimum(k, n - 1)
    return np.where(k == n, 1.0, beta.isf(alpha, safe + 1, n - safe))


def _log_ratio(p_lower: np.ndarray, q_upper: np.ndarray, delta: float) -> np.ndarray:
    num = np.asarray(p_lower, dtype=float) - delta
    out = np.zeros(np.broadcast(num, q_upper).shape)
    ok = (num > 0) & (np.asarray(q_upper) > 0)
    np.log(num / np.where(ok, q_upper, 1.0), out=out, where=ok)
    return np.maximum(out, 0.0)


def _event_mask(event: Event, samples: np.ndarray) -> np.ndarray:
    mask = np.asarray(event(samples))
    if mask.dtype != bool or mask.shape != (len(samples),):
        raise ValueError(
            "event must return a boolean array with one entry per sample; got "
            f"dtype {mask.dtype} and shape {mask.shape} for {len(samples)} samples"
        )
    return mask


def epsilon_lower_bound(
    samples_d: ArrayLike,
    samples_d_prime: ArrayLike,
    event: Event,
    *,
    alpha: float = 1e-6,
    delta: float = 0.0,
) -> float:
    """Lower confidence bound on epsilon from one event.

    With ``k`` of ``n`` outputs on ``D`` and ``k'`` of ``n'`` outputs on
    ``D'`` in the event, one-sided Clopper-Pearson bounds at level ``alpha/2``
    each give ``p_lower <= P(E | D)`` and ``P(E | D') <= p_upper`` jointly
    with probability at least ``1 - alpha``; then any mechanism that is
    ``(ε, δ)``-DP has ``ε >= ln((p_lower - δ) / p_upper)``. The returned bound
    is ``max(0, ln((p_lower - δ) / p_upper))``, and it exceeds the true
    epsilon with probability at most ``alpha``.

    Parameters
    ----------
    samples_d, samples_d_prime : array_like
        Independent outputs of the mechanism on ``D`` and on ``D'`` (first
        axis indexes the runs).
    event : callable
        Vectorised boolean function of the outputs: ``event(samples)`` returns
        one bool per run.
    alpha : float, default 1e-6
        Probability that the bound is wrong.
    delta : float, default 0.0
        The delta of an ``(ε, δ)`` claim (0 for pure DP).

    Returns
    -------
    float
        The lower confidence bound on epsilon (0 if there is no evidence).

    Raises
    ------
    ValueError
        If ``alpha`` is not in (0, 1), ``delta`` not in [0, 1), a sample set is
        empty, or ``event`` does not return one bool per run.
    TypeError
        If ``alpha`` or ``delta`` is not a real number.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.privacy import laplace_mechanism
    >>> rng = np.random.default_rng(0)
    >>> y1 = laplace_mechanism(np.ones(200_000), 1.0, 1.0, rng=rng)
    >>> y0 = laplace_mechanism(np.zeros(200_000), 1.0, 1.0, rng=rng)
    >>> lb = epsilon_lower_bound(y1, y0, lambda y: y > 1.0)
    >>> 0.9 < lb <= 1.0
    True
    """
    alpha = check_probability(alpha, "alpha", open_interval=True)
    delta = check_real(delta, "delta", low=0.0, high=1.0, high_open=True)
    a = np.asarray(samples_d)
    b = np.asarray(samples_d_prime)
    if len(a) == 0 or len(b) == 0:
        raise ValueError(
            f"samples must be non-empty; got {len(a)} and {len(b)} samples"
        )
    k = np.count_nonzero(_event_mask(event, a))
    k_prime = np.count_nonzero(_event_mask(event, b))
    p_lower = _cp_lower(k, len(a), alpha / 2)
    q_upper = _cp_upper(k_prime, len(b), alpha / 2)
    return float(_log_ratio(p_lower, q_upper, delta))


@dataclass(frozen=True)
class AuditResult:
    """Outcome of :func:`audit_mechanism`.

    Attributes
    ----------
    epsilon_lower : float
        The largest lower confidence bound on epsilon over events and
        directions; wrong with probability at most ``alpha``.
    best_event : int
        Index (into ``events``) of the event that gave it.
    direction : str
        ``"d"`` if the bound is ``ln P(E | d) / P(E | d_prime)``, ``"d_prime"``
        for the reverse.
    counts : numpy.ndarray
        Shape ``(len(events), 2)``: how often each event happened on ``d``
        (column 0) and on ``d_prime`` (column 1).
    n : int
        Runs per input.
    alpha : float
        The overall error probability.

    Examples
    --------
    >>> import numpy as np
    >>> r = AuditResult(0.5, 0, "d", np.array([[10, 5]]), 100, 1e-6)
    >>> r.epsilon_lower
    0.5
    """

    epsilon_lower: float
    best_event: int
    direction: str
    counts: np.ndarray
    n: int
    alpha: float


def audit_mechanism(
    mechanism: Callable[[Any, int, np.random.Generator], np.ndarray],
    d: Any,
    d_prime: Any,
    events: Sequence[Event],
    *,
    n: int,
    rng,
    alpha: float = 1e-6,
    delta: float = 0.0,
) -> AuditResult:
    """Audit a mechanism on two neighbouring inputs: a lower bound on epsilon.

    Calls ``mechanism(d, n, rng)`` and ``mechanism(d_prime, n, rng)`` once
    each; each call must return ``n`` independent outputs (first axis), which
    makes the audit vectorised. For every event ``E`` both
    ``ln((P(E|d) - δ) / P(E|d'))`` and ``ln((P(E|d') - δ) / P(E|d))`` are
    bounded below with Clopper-Pearson bounds. All ``4 * len(events)``
    one-sided bounds hold simultaneously with probability at least
    ``1 - alpha`` (Bonferroni: each at level ``alpha / (4 len(events))``), so
    the maximum reported is a valid lower confidence bound on the true
    epsilon: for an ``ε``-DP mechanism, ``epsilon_lower > ε`` happens with
    probability at most ``alpha``.

    Parameters
    ----------
    mechanism : callable
        ``mechanism(x, n, rng) -> array`` of ``n`` outputs on input ``x``.
    d, d_prime : any
        Neighbouring inputs, passed to ``mechanism`` unchanged.
    events : sequence of callable
        Vectorised boolean functions of the outputs (see
        :func:`threshold_events`, :func:`equality_events`), at least one.
    n : int
        Runs per input.
    rng : numpy.random.Generator
        Source of randomness (keyword-only), passed to ``mechanism``.
    alpha : float, default 1e-6
        Overall probability that the reported bound is wrong.
    delta : float, default 0.0
        The delta of an ``(ε, δ)`` claim.

    Returns
    -------
    AuditResult
        The best bound, which event and direction gave it, and the counts.

    Raises
    ------
    ValueError
        If ``events`` is empty, ``n`` not a positive integer, ``alpha`` or
        ``delta`` out of range, or the mechanism returns the wrong number of
        outputs.
    TypeError
        If ``n`` is not an integer, ``alpha`` or ``delta`` not a real number,
        or ``rng`` is not a Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.privacy import randomized_response
    >>> def rr(bit, n, rng):
    ...     return randomized_response(np.full(n, bit, dtype=np.int8), 1.0, rng=rng)
    >>> res = audit_mechanism(rr, 1, 0, equality_events([0, 1]), n=100_000,
    ...                       rng=np.random.default_rng(0))
    >>> 0.9 < res.epsilon_lower <= 1.0, res.counts.shape
    (True, (2, 2))
    """
    alpha = check_probability(alpha, "alpha", open_interval=True)
    delta = check_real(delta, "delta", low=0.0, high=1.0, high_open=True)
    n = check_int(n, "n", low=1)
    n = int(n)
    _check_rng(rng)
    events = list(events)
    if not events:
        raise ValueError("events must contain at least one event; got none")
    out_d = np.asarray(mechanism(d, n, rng))
    out_dp = np.asarray(mechanism(d_prime, n, rng))
    for name, out in (("d", out_d), ("d_prime", out_dp)):
        if out.ndim == 0 or len(out) != n:
            raise ValueError(
                f"mechanism must return n={n} outputs; got shape {out.shape} on {name}"
            )
    counts = np.array(
        [
            [
                np.count_nonzero(_event_mask(e, out_d)),
                np.count_nonzero(_event_mask(e, out_dp)),
            ]
            for e in events
        ],
        dtype=np.int64,
    )
    level = alpha / (4 * len(events))
    lower = _cp_lower(counts, n, level)
    upper = _cp_upper(counts, n, level)
    forward = _log_ratio(lower[:, 0], upper[:, 1], delta)
    backward = _log_ratio(lower[:, 1], upper[:, 0], delta)
    both = np.stack([forward, backward], axis=1)
    i, j = np.unravel_index(int(np.argmax(both)), both.shape)
    return AuditResult(
        epsilon_lower=float(both[i, j]),
        best_event=int(i),
        direction=("d", "d_prime")[j],
        counts=counts,
        n=n,
        alpha=alpha,
    )


def threshold_events(thresholds: ArrayLike) -> list[Event]:
    """Events ``{y > t}`` for each threshold ``t`` (scalar outputs).

    Parameters
    ----------
    thresholds : array_like of float
        The thresholds.

    Returns
    -------
    list of callable
        One vectorised event per threshold.

    Raises
    ------
    ValueError
        If ``thresholds`` is empty.

    Examples
    --------
    >>> import numpy as np
    >>> ev = threshold_events([0.0, 1.0])
    >>> ev[1](np.array([0.5, 1.5])).tolist()
    [False, True]
    """
    ts = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if ts.size == 0:
        raise ValueError("thresholds must be non-empty; got an empty array")
    return [_Threshold(float(t)) for t in ts]


def equality_events(values: ArrayLike) -> list[Event]:
    """Events ``{y == v}`` for each value ``v`` (discrete outputs).

    Parameters
    ----------
    values : array_like
        The output values to test.

    Returns
    -------
    list of callable
        One vectorised event per value.

    Raises
    ------
    ValueError
        If ``values`` is empty.

    Examples
    --------
    >>> import numpy as np
    >>> ev = equality_events([0, 2])
    >>> ev[1](np.array([2, 1, 2])).tolist()
    [True, False, True]
    """
    vs = np.atleast_1d(np.asarray(values))
    if vs.size == 0:
        raise ValueError("values must be non-empty; got an empty array")
    return [_Equal(v) for v in vs.tolist()]


@dataclass(frozen=True)
class _Threshold:
    t: float

    def __call__(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y) > self.t


@dataclass(frozen=True)
class _Equal:
    v: Any

    def __call__(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y) == self.v
