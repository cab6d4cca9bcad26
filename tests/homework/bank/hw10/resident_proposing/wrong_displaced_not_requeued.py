# A resident displaced by a better proposal is dropped instead of proposing again.
def resident_proposing(resident_prefs, hospital_prefs):
    """Stable matching found by deferred acceptance with the residents proposing."""
    held = {}
    for r, ranking in resident_prefs.items():
        for h in ranking:
            current = held.get(h)
            if current is None or hospital_prefs[h].index(r) < hospital_prefs[h].index(
                current
            ):
                held[h] = r
                break
    matching = dict.fromkeys(resident_prefs)
    for h, r in held.items():
        matching[r] = h
    return matching
