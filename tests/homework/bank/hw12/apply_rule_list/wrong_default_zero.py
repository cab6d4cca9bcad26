# Ignores the default: rows that no rule matches get 0.
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
    out = [0] * len(df)
    done = np.zeros(len(df), dtype=bool)
    for conditions, prediction in rules:
        holds = np.ones(len(df), dtype=bool)
        for c, op, v in conditions:
            holds &= ops[op](df[c].to_numpy(), v)
        for i in np.flatnonzero(holds & ~done):
            out[i] = prediction
        done |= holds
    return out
