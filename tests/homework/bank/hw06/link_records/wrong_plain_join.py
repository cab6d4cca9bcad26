# A plain inner join on the quasi-identifiers, keeping every match (no uniqueness check).
def link_records(released, identified, quasi_identifiers):
    qi = list(quasi_identifiers)
    rel = released[qi].dropna()
    ids = identified[[*qi, "name"]].dropna(subset=qi)
    linked = rel.reset_index(names="_row").merge(ids, on=qi, how="inner")
    return linked.set_index("_row")["name"]
