# Correct: class sizes from value_counts, homogeneity from a per-class nunique mapped back to rows.
import numpy as np


def k_anonymity_report(df, quasi_identifiers, sensitive):
    """k of the table and the share of rows in classes with one sensitive value."""
    qi = list(quasi_identifiers)
    ids = df.groupby(qi, dropna=False, observed=True).ngroup().to_numpy()
    sizes = np.bincount(ids)
    per_class = df[sensitive].groupby(ids).nunique()
    homogeneous_rows = sizes[per_class.index.to_numpy()][
        per_class.to_numpy() == 1
    ].sum()
    return {"k": int(sizes.min()), "homogeneous_share": homogeneous_rows / len(df)}
