# Uses the raw payoffs in the update instead of rescaling them to [0, 1].
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    eta_row = np.sqrt(8 * np.log(m) / rounds)
    eta_col = np.sqrt(8 * np.log(n) / rounds)
    log_w, log_v = np.zeros(m), np.zeros(n)
    p_sum, q_sum = np.zeros(m), np.zeros(n)
    for _ in range(rounds):
        p = np.exp(log_w - log_w.max())
        q = np.exp(log_v - log_v.max())
        p, q = p / p.sum(), q / q.sum()
        p_sum += p
        q_sum += q
        log_w += eta_row * (A @ q)
        log_v -= eta_col * (p @ A)
    return p_sum / rounds, q_sum / rounds
