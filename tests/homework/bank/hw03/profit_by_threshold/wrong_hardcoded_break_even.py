# Ignores the break_even argument and always uses 0.82.
def profit_by_threshold(fico, thresholds, break_even=0.82):
    """Expected profit of lending to everyone at or above their group's threshold."""
    group = fico["group"].astype(str)
    share = fico.groupby(group)["cdf"].diff().fillna(fico["cdf"])
    people = share * fico["group_size"]
    accepted = fico["score"] >= group.map(thresholds).astype(float)
    gain = fico["non_default_rate"] - 0.82
    return float((people * gain)[accepted].sum())
