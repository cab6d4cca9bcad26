# Returns the indices of the non-dominated points instead of a mask.
import numpy as np


def pareto_mask(points):
    """True for the points that no other point dominates (both coordinates minimised)."""
    pts = np.asarray(points, dtype=float)
    no_worse = (pts[None, :, :] <= pts[:, None, :]).all(axis=2)
    better = (pts[None, :, :] < pts[:, None, :]).any(axis=2)
    return np.flatnonzero(~(no_worse & better).any(axis=1))
