# Lets an equal point dominate, so duplicates knock each other out.
import numpy as np


def pareto_mask(points):
    """True for the points that no other point dominates (both coordinates minimised)."""
    pts = np.asarray(points, dtype=float)
    no_worse = (pts[None, :, :] <= pts[:, None, :]).all(axis=2)
    np.fill_diagonal(no_worse, False)
    return ~no_worse.any(axis=1)
