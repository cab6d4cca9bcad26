# Correct: computes the change, then bounds it by lo - scores and hi - scores.
import numpy as np


def expected_score_change(scores, repay, gain, loss, lo, hi):
    """Expected change of each cell's score after a loan, with the expected new score clipped."""
    x = np.array(scores, dtype=float)
    rho = np.array(repay, dtype=float)
    change = rho * gain - (1.0 - rho) * loss
    return np.minimum(np.maximum(change, lo - x), hi - x)
