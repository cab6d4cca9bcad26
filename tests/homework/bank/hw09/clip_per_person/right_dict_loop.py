# Correct, with a dict of per-person totals and a Python loop over rows.
import numpy as np


def clip_per_person(grads, person_ids, clip_norm):
    """Sum over people of each person's summed gradient, clipped to norm clip_norm."""
    totals = {}
    for row, person in zip(np.asarray(grads, dtype=float), person_ids, strict=True):
        totals[person] = totals.get(person, 0.0) + row
    result = np.zeros(np.shape(grads)[1])
    for total in totals.values():
        norm = np.linalg.norm(total)
        result += total if norm <= clip_norm else total * (clip_norm / norm)
    return result
