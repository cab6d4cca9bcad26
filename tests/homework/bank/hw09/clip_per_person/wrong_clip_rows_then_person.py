# Clips each row first, then each person's total of clipped rows.
import numpy as np


def clip_per_person(grads, person_ids, clip_norm):
    """Sum over people of each person's summed gradient, clipped to norm clip_norm."""
    g = np.array(grads, dtype=float)
    g = g * (clip_norm / np.maximum(np.linalg.norm(g, axis=1), clip_norm))[:, None]
    ids = np.asarray(person_ids)
    result = np.zeros(g.shape[1])
    for person in np.unique(ids):
        total = g[ids == person].sum(axis=0)
        result += total * min(1.0, clip_norm / max(np.linalg.norm(total), 1e-300))
    return result
