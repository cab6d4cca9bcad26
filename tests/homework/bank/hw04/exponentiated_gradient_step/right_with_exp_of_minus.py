# Correct, written as B / (exp(-theta_k) (1 + sum_j exp(theta_j))) with lists.
import math

import numpy as np


def exponentiated_gradient_step(theta, gamma, eta, B):
    new_theta = [t + eta * g for t, g in zip(theta, gamma, strict=True)]
    total = 1 + sum(math.exp(t) for t in new_theta)
    lam = [B / (math.exp(-t) * total) for t in new_theta]
    return np.array(new_theta), np.array(lam)
