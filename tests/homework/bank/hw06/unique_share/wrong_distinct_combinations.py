# Divides the number of distinct combinations by the number of rows.


def unique_share(df, quasi_identifiers):
    """Share of the rows of df that no other row matches on quasi_identifiers."""
    return len(df[list(quasi_identifiers)].drop_duplicates()) / len(df)
