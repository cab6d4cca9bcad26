# Hospitals accept the first proposal for good (immediate acceptance, no deferral).
def resident_proposing(resident_prefs, hospital_prefs):
    """Stable matching found by deferred acceptance with the residents proposing."""
    matching = dict.fromkeys(resident_prefs)
    taken = set()
    longest = max(len(lst) for lst in resident_prefs.values())
    for round_ in range(longest):
        offers = {}
        for r, ranking in resident_prefs.items():
            if (
                matching[r] is None
                and round_ < len(ranking)
                and ranking[round_] not in taken
            ):
                offers.setdefault(ranking[round_], []).append(r)
        for h, proposers in offers.items():
            best = min(proposers, key=hospital_prefs[h].index)
            matching[best] = h
            taken.add(h)
    return matching
