# Correct: sorts all losses and sweeps the threshold through them.
import numpy as np


def best_advantage(losses_members, losses_nonmembers):
    """Largest TPR - FPR of the rule 'member when loss <= t', over all t."""
    a = np.asarray(losses_members, dtype=float)
    b = np.asarray(losses_nonmembers, dtype=float)
    values = np.concatenate([a, b])
    step = np.concatenate([np.full(a.size, 1 / a.size), np.full(b.size, -1 / b.size)])
    order = np.argsort(values, kind="stable")
    values, gap = values[order], np.cumsum(step[order])
    last = np.r_[values[1:] != values[:-1], True]  # after the last of each tie
    return float(max(0.0, gap[last].max()))
