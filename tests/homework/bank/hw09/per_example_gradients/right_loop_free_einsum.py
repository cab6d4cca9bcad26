# Correct, written with scipy's expit and einsum.
import numpy as np
from scipy.special import expit


def per_example_gradients(X, y, w):
    """Gradient of each example's logistic loss with respect to w, one row each."""
    X = np.array(X, dtype=float)
    residual = expit(np.einsum("ij,j->i", X, np.asarray(w, dtype=float))) - np.asarray(
        y, dtype=float
    )
    return np.einsum("ij,i->ij", X, residual)
