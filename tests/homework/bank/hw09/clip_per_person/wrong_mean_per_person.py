# Averages each person's rows instead of adding them, then clips.
import numpy as np


def clip_per_person(grads, person_ids, clip_norm):
    """Sum over people of each person's summed gradient, clipped to norm clip_norm."""
    g = np.array(grads, dtype=float)
    ids = np.asarray(person_ids)
    result = np.zeros(g.shape[1])
    for person in np.unique(ids):
        total = g[ids == person].mean(axis=0)
        norm = np.linalg.norm(total)
        result += total * min(1.0, clip_norm / norm) if norm > 0 else total
    return result
