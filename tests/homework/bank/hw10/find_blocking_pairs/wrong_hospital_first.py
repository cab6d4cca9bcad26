# Finds the right pairs but writes them as (hospital, resident).
def find_blocking_pairs(matching, resident_prefs, hospital_prefs):
    """Every (resident, hospital) pair who would both rather be together."""
    partner = {h: r for r, h in matching.items() if h is not None}
    pairs = []
    for h, h_list in hospital_prefs.items():
        for r in h_list:
            mine, theirs = matching.get(r), partner.get(h)
            ranking = resident_prefs[r]
            r_wants = mine is None or ranking.index(h) < ranking.index(mine)
            h_wants = theirs is None or h_list.index(r) < h_list.index(theirs)
            if r_wants and h_wants:
                pairs.append((h, r))
    return pairs
