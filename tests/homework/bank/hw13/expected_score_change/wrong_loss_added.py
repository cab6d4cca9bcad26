# Adds the loss instead of subtracting it: repay * gain + (1 - repay) * loss.
import numpy as np


def expected_score_change(scores, repay, gain, loss, lo, hi):
    """Expected change of each cell's score after a loan, with the expected new score clipped."""
    scores = np.asarray(scores, dtype=float)
    repay = np.asarray(repay, dtype=float)
    expected = scores + repay * gain + (1 - repay) * loss
    return np.clip(expected, lo, hi) - scores
