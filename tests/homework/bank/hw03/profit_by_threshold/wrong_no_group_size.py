# Adds up shares of each group without multiplying by the group's size.
def profit_by_threshold(fico, thresholds, break_even=0.82):
    """Expected profit of lending to everyone at or above their group's threshold."""
    group = fico["group"].astype(str)
    share = fico.groupby(group)["cdf"].diff().fillna(fico["cdf"])
    accepted = fico["score"] >= group.map(thresholds).astype(float)
    gain = fico["non_default_rate"] - break_even
    return float((share * gain)[accepted].sum())
