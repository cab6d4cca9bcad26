# Averages the weights themselves, never turned into probabilities.
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    span = A.max() - A.min()
    S = (A - A.min()) / span if span > 0 else np.zeros_like(A)
    eta_row = np.sqrt(8 * np.log(m) / rounds)
    eta_col = np.sqrt(8 * np.log(n) / rounds)
    w, v = np.ones(m), np.ones(n)
    w_sum, v_sum = np.zeros(m), np.zeros(n)
    for _ in range(rounds):
        w_sum += w
        v_sum += v
        p, q = w / w.sum(), v / v.sum()
        w = w * np.exp(eta_row * (S @ q))
        v = v * np.exp(-eta_col * (p @ S))
    return w_sum / rounds, v_sum / rounds
