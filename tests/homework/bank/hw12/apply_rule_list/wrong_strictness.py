# Swaps strict and non-strict comparisons ('<' read as '<=', '>=' as '>').
import numpy as np


def apply_rule_list(df, rules, default):
    """Prediction of an ordered rule list for each row of df (first match wins)."""
    ops = {
        "<": np.less_equal,
        "<=": np.less,
        ">": np.greater_equal,
        ">=": np.greater,
        "==": np.equal,
    }
    masks = []
    for conditions, _ in rules:
        holds = np.ones(len(df), dtype=bool)
        for c, op, v in conditions:
            holds &= ops[op](df[c].to_numpy(), v)
        masks.append(holds)
    if not masks:
        return [default] * len(df)
    return np.select(masks, [p for _, p in rules], default=default)
