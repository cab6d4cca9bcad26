"""Pure Nash equilibria and best-response dynamics.

* :func:`pure_nash_equilibria` lists every pure-strategy Nash equilibrium of a
  finite normal-form game by brute force (vectorised over all profiles).
* :func:`best_response_dynamics` lets the players, one at a time, switch to a
  best response until nobody wants to move (a pure Nash equilibrium) or the
  play cycles. In *potential games* (congestion games among them) every
  improving move lowers the potential, so the dynamics always converge; in
  matching pennies they cycle forever.
* :func:`atomic_routing_dynamics` plays the same dynamics in an atomic
  congestion game: ``n`` drivers on a :class:`~course_lib.games.RoutingNetwork`,
  each in turn moving to a fastest path given everyone else's choice. By
  Rosenthal's theorem this converges; with many drivers it approaches the
  Wardrop equilibrium.

A game with ``k`` players, player ``i`` having ``n_i`` actions, is given as an
array of shape ``(n_1, ..., n_k, k)`` whose entry ``[a_1, ..., a_k, i]`` is
player ``i``'s payoff (higher is better) at the profile ``(a_1, ..., a_k)``, or
as a sequence of ``k`` arrays of shape ``(n_1, ..., n_k)``, one per player:
a bimatrix game is ``(A, B)`` with the row player getting ``A`` and the column
player ``B``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from course_lib._checks import check_int, check_rng
from course_lib.games._routing import RoutingNetwork

__all__ = [
    "AtomicRoutingResult",
    "BestResponseResult",
    "atomic_routing_dynamics",
    "best_response_dynamics",
    "pure_nash_equilibria",
]


def _payoff_array(payoffs: Any) -> np.ndarray:
    """Normalise a game to an array of shape (n_1, ..., n_k, k)."""
    if (
        isinstance(payoffs, (list, tuple))
        and payoffs
        and all(
            isinstance(p, np.ndarray) or isinstance(p, (list, tuple)) for p in payoffs
        )
    ):
        try:
            parts = [np.asarray(p, dtype=np.float64) for p in payoffs]
        except (TypeError, ValueError) as err:
            raise TypeError(f"payoffs must be numeric; got {payoffs!r}") from err
        shapes = {p.shape for p in parts}
        if len(shapes) == 1 and parts[0].ndim == len(parts):
            arr = np.stack(parts, axis=-1)
        else:
            arr = np.asarray(payoffs, dtype=np.float64)
    else:
        try:
            arr = np.asarray(payoffs, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"payoffs must be numeric; got {payoffs!r}") from err
    if arr.ndim < 2 or arr.shape[-1] != arr.ndim - 1:
        raise ValueError(
            "payoffs must have shape (n_1, ..., n_k, k) (one payoff per player at "
            "each profile) or be a sequence of k arrays of shape (n_1, ..., n_k); "
            f"got shape {arr.shape}"
        )
    if 0 in arr.shape:
        raise ValueError(
            f"payoffs must give every player an action; got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError("payoffs must be finite; got NaN or inf")
    return arr


def pure_nash_equilibria(
    payoffs: ArrayLike | Sequence[ArrayLike],
) -> list[tuple[int, ...]]:
    """Every pure-strategy Nash equilibrium, by checking all profiles.

    A profile is an equilibrium when each player's action is a best response
    to the others' (ties allowed: weak best responses count).

    Parameters
    ----------
    payoffs : array_like or sequence of array_like
        Shape ``(n_1, ..., n_k, k)``, or ``k`` arrays of shape
        ``(n_1, ..., n_k)`` (e.g. ``(A, B)`` for a bimatrix game).

    Returns
    -------
    list of tuple of int
        Equilibrium profiles in lexicographic order (possibly empty).

    Raises
    ------
    TypeError
        If the payoffs are not numeric.
    ValueError
        If the shape is not that of a game or a payoff is not finite.

    Examples
    --------
    Prisoner's dilemma (action 0 = cooperate, 1 = defect):

    >>> A = [[-1, -3], [0, -2]]
    >>> pure_nash_equilibria((A, [[-1, 0], [-3, -2]]))
    [(1, 1)]

    Matching pennies has none:

    >>> pure_nash_equilibria(([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]))
    []
    """
    arr = _payoff_array(payoffs)
    k = arr.ndim - 1
    is_best = np.ones(arr.shape[:-1], dtype=bool)
    for i in range(k):  # over players
        u = arr[..., i]
        is_best &= u >= u.max(axis=i, keepdims=True)
    return [tuple(int(v) for v in idx) for idx in np.argwhere(is_best)]


@dataclass(frozen=True)
class BestResponseResult:
    """Outcome of :func:`best_response_dynamics`.

    Attributes
    ----------
    path : list of tuple of int
        The profiles visited, starting with the initial one; consecutive
        profiles differ in one player's action.
    converged : bool
        True if the play stopped at a pure Nash equilibrium.
    equilibrium : tuple of int or None
        The final profile if ``converged``, else None.
    """

    path: list[tuple[int, ...]]
    converged: bool
    equilibrium: tuple[int, ...] | None


def best_response_dynamics(
    payoffs: ArrayLike | Sequence[ArrayLike],
    start: Sequence[int] | None = None,
    *,
    max_steps: int = 10_000,
    rng: np.random.Generator | None = None,
) -> BestResponseResult:
    """Players take turns switching to a best response.

    Players are visited in round-robin order (0, 1, ..., k-1, 0, ...); the
    player whose turn it is moves only if their current action is *not* a best
    response, to the best response with the smallest index. The play stops
    when a full round passes with no move (a pure Nash equilibrium), when a
    state (profile and whose turn) repeats (a cycle: it would go on forever),
    or after ``max_steps`` moves. With ``rng``, the next mover is instead
    drawn uniformly among the players who can improve, and only ``max_steps``
    stops a non-converging play.

    Parameters
    ----------
    payoffs : array_like or sequence of array_like
        The game, as in :func:`pure_nash_equilibria`.
    start : sequence of int, optional
        Initial profile; all zeros by default.
    max_steps : int, default 10_000
        Largest number of moves.
    rng : numpy.random.Generator, optional
        If given, random order of movers.

    Returns
    -------
    BestResponseResult

    Raises
    ------
    TypeError
        If the payoffs are not numeric, ``max_steps`` is not an integer or
        ``rng`` is not a Generator.
    ValueError
        If the game's shape is invalid, ``start`` is not a valid profile or
        ``max_steps < 1``.

    Examples
    --------
    A coordination game converges:

    >>> A = [[2, 0], [0, 1]]
    >>> res = best_response_dynamics((A, A), start=(0, 1))
    >>> res.path, res.converged
    ([(0, 1), (1, 1)], True)

    Matching pennies cycles:

    >>> res = best_response_dynamics(([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]))
    >>> res.converged, res.path
    (False, [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0), (0, 1)])
    """
    arr = _payoff_array(payoffs)
    profile = _start_profile(start, arr.shape[:-1])
    max_steps = check_int(max_steps, "max_steps", low=1)
    if rng is not None:
        return _random_order_play(arr, profile, max_steps, check_rng(rng))
    return _round_robin_play(arr, profile, max_steps)


def _start_profile(start: Sequence[int] | None, shape: tuple[int, ...]) -> list[int]:
    """``start`` as a list of action indices within ``shape`` (zeros if None)."""
    k = len(shape)
    if start is None:
        return [0] * k
    profile = [int(a) for a in start]
    if len(profile) != k or any(
        not 0 <= a < n for a, n in zip(profile, shape, strict=True)
    ):
        raise ValueError(
            f"start must be a profile of {k} action indices within {shape}; "
            f"got {tuple(start)!r}"
        )
    return profile


def _improvement(arr: np.ndarray, profile: list[int], i: int) -> int | None:
    """Player i's smallest-index best response if i is not best-responding."""
    idx: list[Any] = list(profile)
    idx[i] = slice(None)
    u = arr[(*idx, i)]
    if u[profile[i]] >= u.max():
        return None
    return int(np.argmax(u))


def _random_order_play(
    arr: np.ndarray, profile: list[int], max_steps: int, rng: np.random.Generator
) -> BestResponseResult:
    """Best-response dynamics, each mover drawn among the players who can improve."""
    k = arr.ndim - 1
    path = [tuple(profile)]
    for _ in range(max_steps):
        moves = [(i, _improvement(arr, profile, i)) for i in range(k)]
        movers = [(i, a) for i, a in moves if a is not None]
        if not movers:
            return BestResponseResult(path, True, tuple(profile))
        i, a = movers[int(rng.integers(len(movers)))]
        profile[i] = a
        path.append(tuple(profile))
    converged = all(_improvement(arr, profile, i) is None for i in range(k))
    return BestResponseResult(path, converged, tuple(profile) if converged else None)


def _round_robin_play(
    arr: np.ndarray, profile: list[int], max_steps: int
) -> BestResponseResult:
    """Best-response dynamics in round-robin order, stopped at a repeated state."""
    k = arr.ndim - 1
    path = [tuple(profile)]
    seen = {(tuple(profile), 0)}
    turn, idle, steps = 0, 0, 0
    while idle < k and steps < max_steps:
        a = _improvement(arr, profile, turn)
        if a is None:
            idle += 1
        else:
            profile[turn] = a
            path.append(tuple(profile))
            idle, steps = 1, steps + 1  # the mover is best-responding now
        turn = (turn + 1) % k
        if a is not None:
            state = (tuple(profile), turn)
            if state in seen:
                return BestResponseResult(path, False, None)
            seen.add(state)
    converged = idle >= k
    return BestResponseResult(path, converged, tuple(profile) if converged else None)


@dataclass(frozen=True)
class AtomicRoutingResult:
    """Outcome of :func:`atomic_routing_dynamics`.

    Attributes
    ----------
    choice : numpy.ndarray
        Final path index (into ``network.paths``) of every driver.
    path_count : numpy.ndarray
        Number of drivers on each path at the end.
    moves : list of tuple of int
        ``(driver, old_path, new_path)`` for every move, in order.
    converged : bool
        True if no driver can strictly improve at the end.
    driver_latency : numpy.ndarray
        Final latency of every driver.
    average_latency : float
        Mean of ``driver_latency`` weighted by the drivers' traffic.
    """

    choice: np.ndarray
    path_count: np.ndarray
    moves: list[tuple[int, int, int]]
    converged: bool
    driver_latency: np.ndarray
    average_latency: float


def _driver_counts(n_drivers: int | Sequence[int], n_com: int) -> list[int]:
    """Drivers per commodity: ``n_drivers`` for each, or one count per commodity."""
    if isinstance(n_drivers, numbers.Integral):
        return [check_int(n_drivers, "n_drivers", low=1)] * n_com
    try:
        counts = list(n_drivers)
    except TypeError:
        raise TypeError(
            f"n_drivers must be an int or a sequence of {n_com} ints (one per "
            f"commodity); got {type(n_drivers).__name__}"
        ) from None
    if len(counts) != n_com:
        raise ValueError(
            f"n_drivers must be a positive int or one positive int per commodity "
            f"({n_com}); got {n_drivers!r}"
        )
    return [check_int(c, "n_drivers", low=1) for c in counts]


def atomic_routing_dynamics(
    network: RoutingNetwork,
    n_drivers: int | Sequence[int],
    *,
    start: Sequence[int] | None = None,
    max_rounds: int = 1_000,
) -> AtomicRoutingResult:
    """Drivers choose routes one at a time until nobody can do better.

    Commodity ``c`` (the ``c``-th origin-destination pair of
    ``network.demands``) is split into ``n_drivers[c]`` drivers, each carrying
    ``demand_c / n_drivers[c]`` of traffic, so edge latencies are evaluated at
    (drivers on the edge) x (their weight). In each round the drivers are
    visited in order; a driver moves to the fastest path of their commodity
    (the first one on ties) if it is strictly faster, counting the traffic
    they would add to it. This is best-response dynamics in a congestion game,
    which has Rosenthal's potential and so always converges.

    Parameters
    ----------
    network : RoutingNetwork
    n_drivers : int or sequence of int
        Drivers per commodity (an int is used for every commodity), ``>= 1``.
    start : sequence of int, optional
        Initial path index of every driver (into ``network.paths``, and of the
        driver's commodity); by default everyone starts on their commodity's
        first path.
    max_rounds : int, default 1_000
        Largest number of passes over all drivers.

    Returns
    -------
    AtomicRoutingResult

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`~course_lib.games.RoutingNetwork`, or
        ``n_drivers`` or ``max_rounds`` is not an integer (or ``n_drivers`` a
        sequence of them).
    ValueError
        If ``n_drivers``, ``start`` or ``max_rounds`` is invalid.

    Examples
    --------
    Four drivers (a quarter of the traffic each) on Braess's network with the
    shortcut: two end up on the zigzag path ``s->a->b->t`` and nobody can
    gain by moving, unlike in the nonatomic equilibrium where everyone
    zigzags:

    >>> from course_lib.games import braess
    >>> res = atomic_routing_dynamics(braess(), 4)
    >>> res.path_count.tolist(), res.converged, res.average_latency
    ([1, 1, 2], True, 1.625)
    """
    if not isinstance(network, RoutingNetwork):
        raise TypeError(
            f"network must be a RoutingNetwork; got {type(network).__name__}"
        )
    n_com = len(network.demand_vector)
    counts = _driver_counts(n_drivers, n_com)
    max_rounds = check_int(max_rounds, "max_rounds", low=1)
    com_of_path = network.path_commodity
    driver_com = np.repeat(np.arange(n_com), counts)
    weight = (network.demand_vector / np.asarray(counts, dtype=float))[driver_com]
    first_path = np.array(
        [int(np.flatnonzero(com_of_path == c)[0]) for c in range(n_com)]
    )
    if start is None:
        choice = first_path[driver_com].copy()
    else:
        choice = np.asarray(start)
        if (
            choice.shape != driver_com.shape
            or not np.issubdtype(choice.dtype, np.integer)
            or (choice < 0).any()
            or (choice >= len(network.paths)).any()
            or (
                com_of_path[np.clip(choice, 0, len(network.paths) - 1)] != driver_com
            ).any()
        ):
            raise ValueError(
                f"start must hold, for each of the {len(driver_com)} drivers, the "
                f"index of a path of the driver's commodity; got {start!r}"
            )
        choice = choice.astype(int).copy()
    inc = network.incidence
    load = inc @ np.bincount(choice, weights=weight, minlength=len(network.paths))
    moves: list[tuple[int, int, int]] = []
    converged = False
    for _ in range(max_rounds):
        moved = False
        for d in range(len(choice)):  # drivers move one at a time
            own = inc[:, choice[d]]
            others = load - weight[d] * own
            edge_cost = network.edge_latency(others + weight[d])  # if on the edge
            options = np.flatnonzero(com_of_path == driver_com[d])
            cost = inc[:, options].T @ edge_cost
            current = cost[options == choice[d]][0]
            best = int(np.argmin(cost))
            if cost[best] < current - 1e-12 * max(1.0, abs(current)):
                new = int(options[best])
                moves.append((d, int(choice[d]), new))
                load = others + weight[d] * inc[:, new]
                choice[d] = new
                moved = True
        if not moved:
            converged = True
            break
    driver_latency = (inc.T @ network.edge_latency(load))[choice]
    return AtomicRoutingResult(
        choice=choice,
        path_count=np.bincount(choice, minlength=len(network.paths)),
        moves=moves,
        converged=converged,
        driver_latency=driver_latency,
        average_latency=float(weight @ driver_latency / weight.sum()),
    )
