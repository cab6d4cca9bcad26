# Indexes the names by row position (reset_index) instead of released's index labels.
def link_records(released, identified, quasi_identifiers):
    qi = list(quasi_identifiers)
    rel = released[qi].reset_index(drop=True).dropna()
    rel = rel[~rel.duplicated(keep=False)]
    ids = identified[[*qi, "name"]].dropna(subset=qi)
    ids = ids[~ids.duplicated(subset=qi, keep=False)]
    linked = rel.reset_index(names="_row").merge(ids, on=qi, how="inner")
    return linked.set_index("_row")["name"]
