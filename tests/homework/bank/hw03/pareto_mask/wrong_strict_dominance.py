# Counts a point as dominated only by one strictly better in both coordinates.
import numpy as np


def pareto_mask(points):
    """True for the points that no other point dominates (both coordinates minimised)."""
    pts = np.asarray(points, dtype=float)
    better = (pts[None, :, :] < pts[:, None, :]).all(axis=2)
    return ~better.any(axis=1)
