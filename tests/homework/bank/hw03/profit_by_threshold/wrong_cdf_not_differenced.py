# Uses the cdf itself as the share of people at each score.
def profit_by_threshold(fico, thresholds, break_even=0.82):
    """Expected profit of lending to everyone at or above their group's threshold."""
    group = fico["group"].astype(str)
    people = fico["cdf"] * fico["group_size"]
    accepted = fico["score"] >= group.map(thresholds).astype(float)
    gain = fico["non_default_rate"] - break_even
    return float((people * gain)[accepted].sum())
