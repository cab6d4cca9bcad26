# Correct: applies the rules from last to first, so earlier rules overwrite later ones.
import pandas as pd


def apply_rule_list(df, rules, default):
    """Prediction of an ordered rule list for each row of df (first match wins)."""
    pred = pd.Series([default] * len(df), index=df.index, dtype=object)
    for conditions, prediction in reversed(rules):
        holds = pd.Series(True, index=df.index)
        for column, op, value in conditions:
            col = df[column]
            holds &= {
                "<": col.lt,
                "<=": col.le,
                ">": col.gt,
                ">=": col.ge,
                "==": col.eq,
            }[op](value)
        pred[holds] = prediction
    return pred.tolist()
