# Correct, differently: plain Python lists, a move counter bounded by the number of states, and one step per turn.
def best_response_play(A, B, start):
    """Profiles visited by alternating best responses, or None if the play cycles."""
    A = [list(row) for row in A]
    B = [list(row) for row in B]
    m = len(A)
    i, j = int(start[0]), int(start[1])
    path = [(i, j)]
    states = set()
    quiet = 0
    player = 0  # 0: row, 1: column
    while quiet < 2:
        state = (i, j, player)
        if state in states:
            return None
        states.add(state)
        if player == 0:
            column = [A[k][j] for k in range(m)]
            best = max(column)
            if column[i] < best:
                i = column.index(best)
                path.append((i, j))
                quiet = 0
            else:
                quiet += 1
        else:
            best = max(B[i])
            if B[i][j] < best:
                j = B[i].index(best)
                path.append((i, j))
                quiet = 0
            else:
                quiet += 1
        player = 1 - player
    return path
