# Uses y - sigmoid(w.x) as the residual (the negative gradient).
import numpy as np


def per_example_gradients(X, y, w):
    """Gradient of each example's logistic loss with respect to w, one row each."""
    X = np.asarray(X, dtype=float)
    p = 1.0 / (1.0 + np.exp(-(X @ np.asarray(w, dtype=float))))
    return X * (np.asarray(y, dtype=float) - p)[:, None]
