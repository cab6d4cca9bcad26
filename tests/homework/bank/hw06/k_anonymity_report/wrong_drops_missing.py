# Groups with the default dropna=True: rows with a missing quasi-identifier are left out.


def k_anonymity_report(df, quasi_identifiers, sensitive):
    """k of the table and the share of rows in classes with one sensitive value."""
    groups = df.groupby(list(quasi_identifiers), observed=True)[sensitive]
    size = groups.transform("size")
    distinct = groups.transform("nunique")
    return {"k": int(size.min()), "homogeneous_share": float((distinct == 1).mean())}
