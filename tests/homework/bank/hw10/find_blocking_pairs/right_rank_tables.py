# Correct, differently: builds rank tables first (unmatched = one past the end of the list) and tests every pair.
def find_blocking_pairs(matching, resident_prefs, hospital_prefs):
    """Every (resident, hospital) pair who would both rather be together."""
    r_rank = {r: {h: k for k, h in enumerate(lst)} for r, lst in resident_prefs.items()}
    h_rank = {h: {r: k for k, r in enumerate(lst)} for h, lst in hospital_prefs.items()}
    holder = {}
    for r, h in matching.items():
        if h is not None:
            holder[h] = r
    result = []
    for r in resident_prefs:
        for h in hospital_prefs:
            if matching.get(r) == h:
                continue
            mine = matching.get(r)
            theirs = holder.get(h)
            r_now = len(r_rank[r]) if mine is None else r_rank[r][mine]
            h_now = len(h_rank[h]) if theirs is None else h_rank[h][theirs]
            if r_rank[r][h] < r_now and h_rank[h][r] < h_now:
                result.append((r, h))
    return result
