# Wrong: the first noisy threshold has noise Lap(sigma), not Lap(2 sigma); the redrawn ones are right.
import numpy as np


def thresholdout_answers(train_values, holdout_values, threshold, sigma, budget, rng):
    """Thresholdout's answers to a sequence of queries (NaN once the budget is spent)."""
    t = np.asarray(train_values, dtype=float)
    h = np.asarray(holdout_values, dtype=float)
    answers = np.full(t.size, np.nan)
    noisy_threshold = threshold + rng.laplace(scale=sigma)
    for i in range(t.size):
        if budget < 1:
            break
        if abs(h[i] - t[i]) > noisy_threshold + rng.laplace(scale=4 * sigma):
            answers[i] = h[i] + rng.laplace(scale=sigma)
            budget -= 1
            noisy_threshold = threshold + rng.laplace(scale=2 * sigma)
        else:
            answers[i] = t[i]
    return answers
