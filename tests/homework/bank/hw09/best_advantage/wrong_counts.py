# Subtracts counts and divides by the total number of examples.
import numpy as np


def best_advantage(losses_members, losses_nonmembers):
    """Largest TPR - FPR of the rule 'member when loss <= t', over all t."""
    a = np.asarray(losses_members, dtype=float)
    b = np.asarray(losses_nonmembers, dtype=float)
    t = np.unique(np.concatenate([a, b]))
    gap = (a[None, :] <= t[:, None]).sum(axis=1) - (b[None, :] <= t[:, None]).sum(
        axis=1
    )
    return float(max(0, gap.max()) / (a.size + b.size))
