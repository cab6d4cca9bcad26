# Correct, differently: both players minimise losses in [0, 1] and renormalise the probabilities each round.
import math

import numpy as np


def hedge_play(payoff_matrix, rounds):
    """Average strategies of two multiplicative-weights learners in a zero-sum game."""
    A = np.array(payoff_matrix, dtype=float)
    lo, hi = A.min(), A.max()
    m, n = A.shape
    if hi == lo:
        return np.full(m, 1 / m), np.full(n, 1 / n)
    row_loss = (hi - A) / (hi - lo)  # the row player's loss, in [0, 1]
    col_loss = (A - lo) / (hi - lo)  # the column player's loss, in [0, 1]
    rate_p = math.sqrt(8 * math.log(m) / rounds)
    rate_q = math.sqrt(8 * math.log(n) / rounds)
    p = [1 / m] * m
    q = [1 / n] * n
    avg_p = [0.0] * m
    avg_q = [0.0] * n
    for _ in range(rounds):
        for i in range(m):
            avg_p[i] += p[i] / rounds
        for j in range(n):
            avg_q[j] += q[j] / rounds
        lp = row_loss @ np.array(q)
        lq = np.array(p) @ col_loss
        new_p = [p[i] * math.exp(-rate_p * lp[i]) for i in range(m)]
        new_q = [q[j] * math.exp(-rate_q * lq[j]) for j in range(n)]
        p = [x / sum(new_p) for x in new_p]
        q = [x / sum(new_q) for x in new_q]
    return np.array(avg_p), np.array(avg_q)
