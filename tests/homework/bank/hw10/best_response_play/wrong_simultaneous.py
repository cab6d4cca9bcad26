# Both players best-respond at the same time, and the play stops when the profile no longer changes.
import numpy as np


def best_response_play(A, B, start):
    """Profiles visited by alternating best responses, or None if the play cycles."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    i, j = int(start[0]), int(start[1])
    path = [(i, j)]
    while True:
        new_i = i if A[i, j] >= A[:, j].max() else int(np.argmax(A[:, j]))
        new_j = j if B[i, j] >= B[i, :].max() else int(np.argmax(B[i, :]))
        if (new_i, new_j) == (i, j):
            return path
        i, j = new_i, new_j
        if (i, j) in path:
            return None
        path.append((i, j))
