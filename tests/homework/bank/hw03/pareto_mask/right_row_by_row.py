# Correct: checks each point against all the others, one point at a time.
import numpy as np


def pareto_mask(points):
    """True for the points that no other point dominates (both coordinates minimised)."""
    pts = np.asarray(points, dtype=float)
    keep = np.ones(len(pts), dtype=bool)
    for i, point in enumerate(pts):
        dominators = (pts <= point).all(axis=1) & (pts < point).any(axis=1)
        keep[i] = not dominators.any()
    return keep
