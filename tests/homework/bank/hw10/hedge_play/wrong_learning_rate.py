# Uses the learning rate sqrt(ln m / T) (another textbook's constant) instead of sqrt(8 ln m / T).
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    span = A.max() - A.min()
    S = (A - A.min()) / span if span > 0 else np.zeros_like(A)
    eta_row, eta_col = np.sqrt(np.log(m) / rounds), np.sqrt(np.log(n) / rounds)
    p, q = np.full(m, 1 / m), np.full(n, 1 / n)
    p_sum, q_sum = np.zeros(m), np.zeros(n)
    for _ in range(rounds):
        p_sum += p
        q_sum += q
        p, q = p * np.exp(eta_row * (S @ q)), q * np.exp(-eta_col * (p @ S))
        p, q = p / p.sum(), q / q.sum()
    return p_sum / rounds, q_sum / rounds
