# Reads repay as the probability of default: uses 1 - repay for repaying.
import numpy as np


def expected_score_change(scores, repay, gain, loss, lo, hi):
    """Expected change of each cell's score after a loan, with the expected new score clipped."""
    scores = np.asarray(scores, dtype=float)
    default = np.asarray(repay, dtype=float)
    expected = scores + (1 - default) * gain - default * loss
    return np.clip(expected, lo, hi) - scores
