# Uses strict inequalities, so defendants screened exactly 30 days away are dropped.
def propublica_filter(df):
    days = df["days_b_screening_arrest"]
    keep = (
        (days > -30)
        & (days < 30)
        & (df["is_recid"] != -1)
        & (df["c_charge_degree"] != "O")
        & (df["score_text"] != "N/A")
    )
    return df[keep]
