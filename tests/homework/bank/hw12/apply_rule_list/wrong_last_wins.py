# Loops over the rules and overwrites: the LAST matching rule wins.
import numpy as np


def apply_rule_list(df, rules, default):
    """Prediction of an ordered rule list for each row of df (first match wins)."""
    pred = np.array([default] * len(df), dtype=object)
    for conditions, prediction in rules:
        holds = np.ones(len(df), dtype=bool)
        for column, op, value in conditions:
            col = df[column].to_numpy()
            if op == "<":
                holds &= col < value
            elif op == "<=":
                holds &= col <= value
            elif op == ">":
                holds &= col > value
            elif op == ">=":
                holds &= col >= value
            else:
                holds &= col == value
        pred[holds] = prediction
    return pred.tolist()
