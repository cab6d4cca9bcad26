# Keeps rows with missing values: pandas then matches a missing ZIP code with a missing ZIP code.
def link_records(released, identified, quasi_identifiers):
    qi = list(quasi_identifiers)
    rel = released[qi]
    rel = rel[~rel.duplicated(keep=False)]
    ids = identified[[*qi, "name"]]
    ids = ids[~ids.duplicated(subset=qi, keep=False)]
    linked = rel.reset_index(names="_row").merge(ids, on=qi, how="inner")
    return linked.set_index("_row")["name"]
