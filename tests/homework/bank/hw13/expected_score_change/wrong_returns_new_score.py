# Returns the clipped expected new score, not its change.
import numpy as np


def expected_score_change(scores, repay, gain, loss, lo, hi):
    """Expected change of each cell's score after a loan, with the expected new score clipped."""
    scores = np.asarray(scores, dtype=float)
    repay = np.asarray(repay, dtype=float)
    return np.clip(scores + repay * gain - (1 - repay) * loss, lo, hi)
