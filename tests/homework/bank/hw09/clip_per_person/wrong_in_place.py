# Right sum, but scales the rows of grads in place (modifies the input).
import numpy as np


def clip_per_person(grads, person_ids, clip_norm):
    """Sum over people of each person's summed gradient, clipped to norm clip_norm."""
    ids = np.asarray(person_ids)
    for person in np.unique(ids):
        rows = ids == person
        norm = np.linalg.norm(grads[rows].sum(axis=0))
        if norm > clip_norm:
            grads[rows] *= clip_norm / norm
    return np.asarray(grads).sum(axis=0)
