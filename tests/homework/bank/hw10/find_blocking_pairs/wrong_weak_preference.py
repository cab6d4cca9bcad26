# Uses "at least as good as" (<=), so every matched pair counts as blocking itself.
def find_blocking_pairs(matching, resident_prefs, hospital_prefs):
    """Every (resident, hospital) pair who would both rather be together."""
    partner = {h: r for r, h in matching.items() if h is not None}
    pairs = []
    for r, ranking in resident_prefs.items():
        for h in ranking:
            mine = matching.get(r)
            theirs = partner.get(h)
            r_wants = mine is None or ranking.index(h) <= ranking.index(mine)
            h_list = hospital_prefs[h]
            h_wants = theirs is None or h_list.index(r) <= h_list.index(theirs)
            if r_wants and h_wants:
                pairs.append((r, h))
    return pairs
