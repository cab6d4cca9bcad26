# Filters in place: the caller's frame loses its rows.
def propublica_filter(df):
    keep = (
        df["days_b_screening_arrest"].between(-30, 30)
        & (df["is_recid"] != -1)
        & (df["c_charge_degree"] != "O")
        & (df["score_text"] != "N/A")
    )
    df.drop(index=df.index[~keep], inplace=True)
    return df
