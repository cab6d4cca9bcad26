# Groups with groupby's default dropna=True, so rows with a missing value are never unique.


def unique_share(df, quasi_identifiers):
    """Share of the rows of df that no other row matches on quasi_identifiers."""
    sizes = df.groupby(list(quasi_identifiers), observed=True)[df.columns[0]].transform(
        "size"
    )
    return float((sizes == 1).sum() / len(df))
