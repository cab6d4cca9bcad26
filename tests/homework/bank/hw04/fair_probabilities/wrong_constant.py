# Perfectly fair but useless: everyone gets the base rate (dominated).
import numpy as np


def fair_probabilities(X, y, groups, eps):
    return np.full(len(y), np.mean(y))
