# Lists every pair in which the resident prefers the hospital, without asking the hospital.
def find_blocking_pairs(matching, resident_prefs, hospital_prefs):
    """Every (resident, hospital) pair who would both rather be together."""
    pairs = []
    for r, ranking in resident_prefs.items():
        current = matching.get(r)
        for h in ranking:
            if h == current:
                break
            pairs.append((r, h))
    return pairs
