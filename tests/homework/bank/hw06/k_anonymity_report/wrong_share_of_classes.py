# Reports the share of homogeneous classes instead of the share of rows in them.


def k_anonymity_report(df, quasi_identifiers, sensitive):
    """k of the table and the share of rows in classes with one sensitive value."""
    groups = df.groupby(list(quasi_identifiers), dropna=False, observed=True)[sensitive]
    return {
        "k": int(groups.size().min()),
        "homogeneous_share": float((groups.nunique() == 1).mean()),
    }
