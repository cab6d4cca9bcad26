"""Zero-sum games: minimax by linear programming and by multiplicative weights.

In a two-player zero-sum game with payoff matrix ``A`` (shape ``(m, n)``), the
row player picks a row, the column player a column, and the column player
pays ``A[i, j]`` to the row player. Von Neumann's minimax theorem says

    max_p min_q p^T A q = min_q max_p p^T A q = v,

the *value* of the game, over mixed strategies ``p`` and ``q``.

* :func:`solve_zero_sum` / :func:`minimax_value` compute ``v`` and optimal
  strategies exactly, by two linear programs (:func:`scipy.optimize.linprog`).
* :func:`multiplicative_weights` lets both players learn by the Hedge rule
  (weights multiplied by ``exp(eta * payoff)`` each round, against the
  opponent's current mixed strategy). If each player's regret after ``T``
  rounds is at most ``R_row`` and ``R_col`` (per round), the *average*
  strategies form a ``(R_row + R_col)``-equilibrium: the duality gap
  ``max_i (A q_bar)_i - min_j (p_bar^T A)_j`` is at most that, and ``v`` lies
  between the two. With payoffs rescaled to ``[0, 1]`` and
  ``eta = sqrt(8 ln k / T)``, Hedge's regret per round is at most
  ``sqrt(ln k / (2 T))`` for ``k`` actions; multiplied back by the payoff
  range this is the bound reported. It is the same learning-against-a-best-
  responder dynamic as the fairness reductions of chapter 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from course_lib._checks import check_int, check_positive

__all__ = [
    "MultiplicativeWeightsResult",
    "ZeroSumSolution",
    "minimax_value",
    "multiplicative_weights",
    "solve_zero_sum",
]


def _check_matrix(payoff_matrix: Any) -> np.ndarray:
    try:
        a = np.asarray(payoff_matrix, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"payoff_matrix must be a numeric 2-D array; got {payoff_matrix!r}"
        ) from err
    if a.ndim != 2 or 0 in a.shape:
        raise ValueError(
            f"payoff_matrix must be a non-empty 2-D array (rows: row player's "
            f"actions); got shape {a.shape}"
        )
    if not np.isfinite(a).all():
        raise ValueError("payoff_matrix must be finite; got NaN or inf")
    return a


@dataclass(frozen=True)
class ZeroSumSolution:
    """Value and optimal (maximin / minimax) strategies of a zero-sum game.

    Attributes
    ----------
    value : float
        The value ``v`` of the game to the row player.
    row_strategy : numpy.ndarray
        A maximin mixed strategy of the row player (guarantees ``>= v``).
    col_strategy : numpy.ndarray
        A minimax mixed strategy of the column player (concedes ``<= v``).
    """

    value: float
    row_strategy: np.ndarray
    col_strategy: np.ndarray


def solve_zero_sum(payoff_matrix: ArrayLike) -> ZeroSumSolution:
    """Value and optimal strategies of a zero-sum game by linear programming.

    The row player solves ``max v`` subject to ``A^T p >= v``, ``sum p = 1``,
    ``p >= 0``; the column player ``min w`` subject to ``A q <= w``,
    ``sum q = 1``, ``q >= 0`` (HiGHS, via :func:`scipy.optimize.linprog`).

    Parameters
    ----------
    payoff_matrix : array_like, shape (m, n)
        Payoff to the row player (paid by the column player).

    Returns
    -------
    ZeroSumSolution

    Raises
    ------
    TypeError
        If the matrix is not numeric.
    ValueError
        If it is not a non-empty finite 2-D array.

    Examples
    --------
    Matching pennies: value 0, both players mix evenly.

    >>> sol = solve_zero_sum([[1, -1], [-1, 1]])
    >>> round(sol.value, 9) + 0.0, sol.row_strategy.round(9).tolist()
    (0.0, [0.5, 0.5])
    """
    a = _check_matrix(payoff_matrix)
    m, n = a.shape
    # Row player: variables (p_1..p_m, v); minimise -v.
    row = optimize.linprog(
        c=np.r_[np.zeros(m), -1.0],
        A_ub=np.hstack([-a.T, np.ones((n, 1))]),
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
        method="highs",
    )
    col = optimize.linprog(
        c=np.r_[np.zeros(n), 1.0],
        A_ub=np.hstack([a, -np.ones((m, 1))]),
        b_ub=np.zeros(m),
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * n + [(None, None)],
        method="highs",
    )
    if not (row.success and col.success):  # pragma: no cover - always feasible
        raise RuntimeError(f"linprog failed: {row.message} / {col.message}")
    p = np.clip(row.x[:m], 0.0, None)
    q = np.clip(col.x[:n], 0.0, None)
    return ZeroSumSolution(
        value=float((row.x[m] + col.x[n]) / 2),
        row_strategy=p / p.sum(),
        col_strategy=q / q.sum(),
    )


def minimax_value(payoff_matrix: ArrayLike) -> float:
    """The value of a zero-sum game, by linear programming.

    Parameters
    ----------
    payoff_matrix : array_like, shape (m, n)
        Payoff to the row player.

    Returns
    -------
    float
        ``max_p min_q p^T A q``.

    Raises
    ------
    TypeError
        If the matrix is not numeric.
    ValueError
        If it is not a non-empty finite 2-D array.

    Examples
    --------
    Rock-paper-scissors is fair; a game with a saddle point has its value
    there:

    >>> rps = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    >>> abs(round(minimax_value(rps), 9))
    0.0
    >>> minimax_value([[3, 1], [4, 2]])
    2.0
    """
    return solve_zero_sum(payoff_matrix).value


@dataclass(frozen=True)
class MultiplicativeWeightsResult:
    """Outcome of :func:`multiplicative_weights`.

    Attributes
    ----------
    row_strategy, col_strategy : numpy.ndarray
        Average mixed strategies over the rounds.
    value : float
        ``row_strategy @ A @ col_strategy``, the estimate of the game's value.
    lower, upper : float
        What the average strategies guarantee: ``min_j (p_bar^T A)_j <= v <=
        max_i (A q_bar)_i``.
    gap : float
        ``upper - lower``: the duality gap (exploitability) of the average
        strategies.
    bound : float
        The theoretical bound on ``gap`` after all rounds (sum of both
        players' regret bounds per round).
    gap_history, bound_history : numpy.ndarray
        Gap of the running averages, and its bound, after each round
        ``t = 1, ..., rounds``.
    eta : tuple of float
        Learning rates (row, column) on the payoff scale rescaled to [0, 1].
    """

    row_strategy: np.ndarray
    col_strategy: np.ndarray
    value: float
    lower: float
    upper: float
    gap: float
    bound: float
    gap_history: np.ndarray
    bound_history: np.ndarray
    eta: tuple[float, float]


def multiplicative_weights(
    payoff_matrix: ArrayLike, *, rounds: int, eta: float | None = None
) -> MultiplicativeWeightsResult:
    """Both players learn by multiplicative weights (Hedge) in a zero-sum game.

    Payoffs are rescaled to ``[0, 1]`` by the matrix's range ``r = max A -
    min A``. Each round ``t`` the row player plays ``p_t``, the column player
    ``q_t``; the row player's weights are multiplied by
    ``exp(eta_row * (A q_t)_i / r)`` and the column player's by
    ``exp(-eta_col * (p_t^T A)_j / r)`` (full information: expected payoffs of
    every action). The result is about the average strategies.

    Parameters
    ----------
    payoff_matrix : array_like, shape (m, n)
        Payoff to the row player.
    rounds : int
        Number of rounds ``T >= 1``.
    eta : float, optional
        Learning rate for both players on the rescaled payoffs. By default each
        player uses ``sqrt(8 ln k / T)`` (``k`` their number of actions; 1 if
        ``k = 1``), which minimises the regret bound.

    Returns
    -------
    MultiplicativeWeightsResult
        ``gap <= bound`` always holds, where ``bound`` after ``t`` rounds is
        ``r * sum over players of (ln k / (eta t) + eta / 8)``, which is
        ``r * (sqrt(ln m / (2T)) + sqrt(ln n / (2T)))`` at the default rates.

    Raises
    ------
    TypeError
        If the matrix is not numeric, ``rounds`` is not an integer or ``eta``
        is not a real number.
    ValueError
        If the matrix is invalid, ``rounds < 1`` or ``eta <= 0``.

    Examples
    --------
    >>> rps = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    >>> res = multiplicative_weights(rps, rounds=2000)
    >>> bool(res.gap <= res.bound), round(res.bound, 3)
    (True, 0.066)
    >>> bool(res.lower <= 0 <= res.upper)
    True
    """
    a = _check_matrix(payoff_matrix)
    rounds = check_int(rounds, "rounds", low=1)
    m, n = a.shape
    if eta is None:
        eta_row = math.sqrt(8 * math.log(m) / rounds) if m > 1 else 1.0
        eta_col = math.sqrt(8 * math.log(n) / rounds) if n > 1 else 1.0
    else:
        eta_row = eta_col = check_positive(eta, "eta")
    lo, span = float(a.min()), float(a.max() - a.min())
    scaled = (a - lo) / span if span > 0 else np.zeros_like(a)
    log_w_row, log_w_col = np.zeros(m), np.zeros(n)
    ps, qs = np.empty((rounds, m)), np.empty((rounds, n))
    for t in range(rounds):  # rounds are sequential
        p = np.exp(log_w_row - log_w_row.max())
        q = np.exp(log_w_col - log_w_col.max())
        ps[t], qs[t] = p / p.sum(), q / q.sum()
        log_w_row += eta_row * (scaled @ qs[t])
        log_w_col -= eta_col * (ps[t] @ scaled)
    steps = np.arange(1, rounds + 1)[:, None]
    p_bar = np.cumsum(ps, axis=0) / steps
    q_bar = np.cumsum(qs, axis=0) / steps
    upper_hist = (q_bar @ a.T).max(axis=1)
    lower_hist = (p_bar @ a).min(axis=1)
    t = steps[:, 0].astype(float)

    def regret(k: int, rate: float) -> np.ndarray:
        return math.log(k) / (rate * t) + rate / 8 if k > 1 else np.zeros_like(t)

    bound_hist = span * (regret(m, eta_row) + regret(n, eta_col))
    p_final, q_final = p_bar[-1], q_bar[-1]
    return MultiplicativeWeightsResult(
        row_strategy=p_final,
        col_strategy=q_final,
        value=float(p_final @ a @ q_final),
        lower=float(lower_hist[-1]),
        upper=float(upper_hist[-1]),
        gap=float(upper_hist[-1] - lower_hist[-1]),
        bound=float(bound_hist[-1]),
        gap_history=upper_hist - lower_hist,
        bound_history=bound_hist,
        eta=(eta_row, eta_col),
    )
