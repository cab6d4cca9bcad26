# Computes the multipliers from the old theta.
import numpy as np


def exponentiated_gradient_step(theta, gamma, eta, B):
    theta = np.asarray(theta, dtype=float)
    e = np.exp(theta)
    return theta + eta * np.asarray(gamma, dtype=float), B * e / (1 + e.sum())
