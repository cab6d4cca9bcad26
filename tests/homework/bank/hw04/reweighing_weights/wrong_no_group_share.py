# Forgets the factor P(g): P(y) / P(g, y).
import numpy as np


def reweighing_weights(y, groups):
    y, g = np.asarray(y), np.asarray(groups)
    p_y = np.array([np.mean(y == v) for v in y])
    p_gy = np.array([np.mean((g == a) & (y == b)) for a, b in zip(g, y, strict=True)])
    return p_y / p_gy
