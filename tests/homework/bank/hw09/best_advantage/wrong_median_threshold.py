# Uses one fixed threshold (the median of all losses) instead of the best one.
import numpy as np


def best_advantage(losses_members, losses_nonmembers):
    """Largest TPR - FPR of the rule 'member when loss <= t', over all t."""
    a = np.asarray(losses_members, dtype=float)
    b = np.asarray(losses_nonmembers, dtype=float)
    t = np.median(np.concatenate([a, b]))
    return float(max(0.0, (a <= t).mean() - (b <= t).mean()))
