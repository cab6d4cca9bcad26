# Returns the best balanced accuracy (TPR + TNR) / 2 instead of TPR - FPR.
import numpy as np


def best_advantage(losses_members, losses_nonmembers):
    """Largest TPR - FPR of the rule 'member when loss <= t', over all t."""
    a = np.asarray(losses_members, dtype=float)
    b = np.asarray(losses_nonmembers, dtype=float)
    t = np.unique(np.concatenate([a, b]))
    tpr = (a[None, :] <= t[:, None]).mean(axis=1)
    fpr = (b[None, :] <= t[:, None]).mean(axis=1)
    return float(max(0.5, ((tpr + 1 - fpr) / 2).max()))
