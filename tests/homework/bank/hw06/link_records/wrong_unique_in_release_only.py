# Requires uniqueness in the release only: a combination shared by two voters is still linked (to both).
def link_records(released, identified, quasi_identifiers):
    qi = list(quasi_identifiers)
    rel = released[qi].dropna()
    rel = rel[~rel.duplicated(keep=False)]
    ids = identified[[*qi, "name"]].dropna(subset=qi)
    linked = rel.reset_index(names="_row").merge(ids, on=qi, how="inner")
    return linked.set_index("_row")["name"]
