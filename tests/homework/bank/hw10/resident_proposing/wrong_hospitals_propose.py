# Runs deferred acceptance with the HOSPITALS proposing (the hospital-optimal stable matching).
def resident_proposing(resident_prefs, hospital_prefs):
    """Stable matching found by deferred acceptance with the residents proposing."""
    next_choice = dict.fromkeys(hospital_prefs, 0)
    held = {}  # resident -> hospital
    free = list(hospital_prefs)
    while free:
        h = free.pop()
        if next_choice[h] == len(hospital_prefs[h]):
            continue
        r = hospital_prefs[h][next_choice[h]]
        next_choice[h] += 1
        current = held.get(r)
        if current is None:
            held[r] = h
        elif resident_prefs[r].index(h) < resident_prefs[r].index(current):
            held[r] = h
            free.append(current)
        else:
            free.append(h)
    return {r: held.get(r) for r in resident_prefs}
