# Correct, differently: synchronous rounds in which every free resident proposes at once.
def resident_proposing(resident_prefs, hospital_prefs):
    """Stable matching found by deferred acceptance with the residents proposing."""
    rank = {h: {r: k for k, r in enumerate(lst)} for h, lst in hospital_prefs.items()}
    pointer = {r: 0 for r in resident_prefs}
    tentative = {}  # hospital -> resident
    while True:
        held = set(tentative.values())
        free = [
            r
            for r in resident_prefs
            if r not in held and pointer[r] < len(resident_prefs[r])
        ]
        if not free:
            break
        offers = {}
        for r in free:
            h = resident_prefs[r][pointer[r]]
            pointer[r] += 1
            offers.setdefault(h, []).append(r)
        for h, proposers in offers.items():
            pool = proposers + ([tentative[h]] if h in tentative else [])
            tentative[h] = min(pool, key=lambda r: rank[h][r])
    result = {r: None for r in resident_prefs}
    for h, r in tentative.items():
        result[r] = h
    return result
