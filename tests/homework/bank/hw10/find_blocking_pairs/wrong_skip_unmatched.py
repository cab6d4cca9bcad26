# Only compares matched residents with matched hospitals: the unmatched are left out.
def find_blocking_pairs(matching, resident_prefs, hospital_prefs):
    """Every (resident, hospital) pair who would both rather be together."""
    partner = {h: r for r, h in matching.items() if h is not None}
    pairs = []
    for r, mine in matching.items():
        if mine is None:
            continue
        ranking = resident_prefs[r]
        for h in ranking[: ranking.index(mine)]:
            if h not in partner:
                continue
            h_list = hospital_prefs[h]
            if h_list.index(r) < h_list.index(partner[h]):
                pairs.append((r, h))
    return pairs
