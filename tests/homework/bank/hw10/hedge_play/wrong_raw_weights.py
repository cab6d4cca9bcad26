# Multiplies raw weights round after round without renormalising: they overflow in long games.
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    span = A.max() - A.min()
    S = (A - A.min()) / span if span > 0 else np.zeros_like(A)
    eta_row, eta_col = np.sqrt(8 * np.log(m) / rounds), np.sqrt(8 * np.log(n) / rounds)
    w, v = np.ones(m), np.ones(n)
    p_sum, q_sum = np.zeros(m), np.zeros(n)
    for _ in range(rounds):
        p, q = w / w.sum(), v / v.sum()
        p_sum += p
        q_sum += q
        w = w * np.exp(eta_row * (S @ q))
        v = v * np.exp(-eta_col * (p @ S))
    return p_sum / rounds, q_sum / rounds
