# Assumes each person's rows are next to each other (groups runs of equal ids).
import numpy as np


def clip_per_person(grads, person_ids, clip_norm):
    """Sum over people of each person's summed gradient, clipped to norm clip_norm."""
    g = np.array(grads, dtype=float)
    ids = list(person_ids)
    result = np.zeros(g.shape[1])
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            total = g[start:i].sum(axis=0)
            norm = np.linalg.norm(total)
            result += total * min(1.0, clip_norm / norm) if norm > 0 else total
            start = i
    return result
