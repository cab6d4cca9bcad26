# Forgets the bounds: returns repay * gain - (1 - repay) * loss unclipped.
import numpy as np


def expected_score_change(scores, repay, gain, loss, lo, hi):
    """Expected change of each cell's score after a loan, with the expected new score clipped."""
    repay = np.asarray(repay, dtype=float)
    return repay * gain - (1 - repay) * loss
