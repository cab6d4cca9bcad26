# Wrong: every noisy threshold has Gaussian noise N(0, (2 sigma)^2) instead of Lap(2 sigma).
import numpy as np


def thresholdout_answers(train_values, holdout_values, threshold, sigma, budget, rng):
    """Thresholdout's answers to a sequence of queries (NaN once the budget is spent)."""
    t = np.asarray(train_values, dtype=float)
    h = np.asarray(holdout_values, dtype=float)
    answers = np.full(t.size, np.nan)
    noisy_threshold = threshold + rng.normal(scale=2 * sigma)
    for i in range(t.size):
        if budget < 1:
            break
        if abs(h[i] - t[i]) > noisy_threshold + rng.laplace(scale=4 * sigma):
            answers[i] = h[i] + rng.laplace(scale=sigma)
            budget -= 1
            noisy_threshold = threshold + rng.normal(scale=2 * sigma)
        else:
            answers[i] = t[i]
    return answers
