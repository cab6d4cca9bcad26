# Correct, with DataFrame.query and abs().
def propublica_filter(df):
    out = df.query("is_recid != -1 and c_charge_degree != 'O' and score_text != 'N/A'")
    return out[out["days_b_screening_arrest"].abs() <= 30].copy()
