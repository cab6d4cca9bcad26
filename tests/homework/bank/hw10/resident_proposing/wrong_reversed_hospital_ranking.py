# Hospitals keep the proposer ranked LOWER on their list (reads the list backwards).
def resident_proposing(resident_prefs, hospital_prefs):
    """Stable matching found by deferred acceptance with the residents proposing."""
    next_choice = dict.fromkeys(resident_prefs, 0)
    held = {}
    free = list(resident_prefs)
    while free:
        r = free.pop()
        if next_choice[r] == len(resident_prefs[r]):
            continue
        h = resident_prefs[r][next_choice[r]]
        next_choice[r] += 1
        current = held.get(h)
        if current is None:
            held[h] = r
        elif hospital_prefs[h].index(r) > hospital_prefs[h].index(current):
            held[h] = r
            free.append(current)
        else:
            free.append(r)
    matching = dict.fromkeys(resident_prefs)
    for h, r in held.items():
        matching[r] = h
    return matching
