# Correct, differently: keeps the list of strategies played (as probabilities) and averages it at the end.
import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.asarray(payoff_matrix, dtype=float)
    m, n = A.shape
    r = np.ptp(A)
    S = np.zeros_like(A) if r == 0 else (A - A.min()) / r
    ps, qs = [np.ones(m) / m], [np.ones(n) / n]
    for _ in range(rounds - 1):
        p, q = ps[-1], qs[-1]
        p_new = p * np.exp(np.sqrt(8 * np.log(m) / rounds) * (S @ q))
        q_new = q * np.exp(-np.sqrt(8 * np.log(n) / rounds) * (p @ S))
        ps.append(p_new / p_new.sum())
        qs.append(q_new / q_new.sum())
    return np.mean(ps, axis=0), np.mean(qs, axis=0)
