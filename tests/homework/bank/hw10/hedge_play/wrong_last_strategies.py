# Returns the strategies of the last round instead of their average over the rounds.
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    span = A.max() - A.min()
    S = (A - A.min()) / span if span > 0 else np.zeros_like(A)
    eta_row = np.sqrt(8 * np.log(m) / rounds)
    eta_col = np.sqrt(8 * np.log(n) / rounds)
    p, q = np.full(m, 1 / m), np.full(n, 1 / n)
    for _ in range(rounds - 1):
        new_p = p * np.exp(eta_row * (S @ q))
        new_q = q * np.exp(-eta_col * (p @ S))
        p, q = new_p / new_p.sum(), new_q / new_q.sum()
    return p, q
