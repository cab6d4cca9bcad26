# Moves to the smallest-index best response even when its action is already a best response.
import numpy as np


def best_response_play(A, B, start):
    """Profiles visited by alternating best responses, or None if the play cycles."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    profile = (int(start[0]), int(start[1]))
    path, seen = [profile], {(profile, 0)}
    turn, idle = 0, 0
    while idle < 2:
        i, j = profile
        payoffs = A[:, j] if turn == 0 else B[i, :]
        mine = profile[turn]
        if mine != int(np.argmax(payoffs)):
            best = int(np.argmax(payoffs))
            profile = (best, j) if turn == 0 else (i, best)
            path.append(profile)
            idle = 0
        else:
            idle += 1
        turn = 1 - turn
        if idle == 0:
            if (profile, turn) in seen:
                return None
            seen.add((profile, turn))
    return path
