# A rule holds when ANY of its conditions holds, instead of all of them.
import numpy as np


def apply_rule_list(df, rules, default):
    """Prediction of an ordered rule list for each row of df (first match wins)."""
    ops = {
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
        "==": np.equal,
    }
    masks = []
    for conditions, _ in rules:
        if conditions:
            tests = [ops[op](df[c].to_numpy(), v) for c, op, v in conditions]
            masks.append(np.logical_or.reduce(tests))
        else:
            masks.append(np.ones(len(df), dtype=bool))
    if not masks:
        return [default] * len(df)
    return np.select(masks, [p for _, p in rules], default=default)
