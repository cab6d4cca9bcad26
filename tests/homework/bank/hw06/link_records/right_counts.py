# Correct, differently: counts each combination with groupby sizes, then maps the released rows through a dict of the identified list.
import pandas as pd


def link_records(released, identified, quasi_identifiers):
    qi = list(quasi_identifiers)
    rel = released.dropna(subset=qi)
    ids = identified.dropna(subset=qi)
    rel_keys = [tuple(row) for row in rel[qi].itertuples(index=False)]
    ids_keys = [tuple(row) for row in ids[qi].itertuples(index=False)]
    rel_count = pd.Series(rel_keys, dtype=object).value_counts()
    ids_count = pd.Series(ids_keys, dtype=object).value_counts()
    name_of = {
        key: name
        for key, name in zip(ids_keys, ids["name"], strict=True)
        if ids_count[key] == 1
    }
    labels, names = [], []
    for label, key in zip(rel.index, rel_keys, strict=True):
        if rel_count[key] == 1 and key in name_of:
            labels.append(label)
            names.append(name_of[key])
    return pd.Series(names, index=labels, dtype=object)
