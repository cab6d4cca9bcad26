# Moves theta away from the violated constraints: theta - eta * gamma.
import numpy as np


def exponentiated_gradient_step(theta, gamma, eta, B):
    new_theta = np.asarray(theta, dtype=float) - eta * np.asarray(gamma, dtype=float)
    e = np.exp(new_theta)
    return new_theta, B * e / (1 + e.sum())
