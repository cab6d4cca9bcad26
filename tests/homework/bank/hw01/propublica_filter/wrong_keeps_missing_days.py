# Treats a missing screening gap as zero, so those defendants are kept.
def propublica_filter(df):
    days = df["days_b_screening_arrest"].fillna(0)
    keep = (
        days.between(-30, 30)
        & (df["is_recid"] != -1)
        & (df["c_charge_degree"] != "O")
        & (df["score_text"] != "N/A")
    )
    return df[keep]
