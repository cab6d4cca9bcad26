# Returns the number of unique rows instead of their share.


def unique_share(df, quasi_identifiers):
    """Share of the rows of df that no other row matches on quasi_identifiers."""
    return int((~df.duplicated(subset=list(quasi_identifiers), keep=False)).sum())
