# Once the budget is spent, answers with the training value instead of no answer.
import numpy as np


def thresholdout_answers(train_values, holdout_values, threshold, sigma, budget, rng):
    """Thresholdout's answers to a sequence of queries (NaN once the budget is spent)."""
    t = np.asarray(train_values, dtype=float)
    h = np.asarray(holdout_values, dtype=float)
    answers = t.copy()
    noisy_threshold = threshold + rng.laplace(scale=2 * sigma)
    for i in range(t.size):
        if budget < 1:
            break
        if abs(h[i] - t[i]) > noisy_threshold + rng.laplace(scale=4 * sigma):
            answers[i] = h[i] + rng.laplace(scale=sigma)
            budget -= 1
            noisy_threshold = threshold + rng.laplace(scale=2 * sigma)
    return answers
