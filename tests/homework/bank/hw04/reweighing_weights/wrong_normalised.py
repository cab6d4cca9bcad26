# Normalises the weights to sum to 1 instead of n.
import numpy as np


def reweighing_weights(y, groups):
    y, g = np.asarray(y), np.asarray(groups)
    p_g = np.array([np.mean(g == v) for v in g])
    p_y = np.array([np.mean(y == v) for v in y])
    p_gy = np.array([np.mean((g == a) & (y == b)) for a, b in zip(g, y, strict=True)])
    w = p_g * p_y / p_gy
    return w / w.sum()
