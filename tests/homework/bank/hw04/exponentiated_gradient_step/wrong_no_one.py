# A plain softmax: forgets the 1 in the denominator, so the multipliers always sum to B.
import numpy as np


def exponentiated_gradient_step(theta, gamma, eta, B):
    new_theta = np.asarray(theta, dtype=float) + eta * np.asarray(gamma, dtype=float)
    e = np.exp(new_theta)
    return new_theta, B * e / e.sum()
