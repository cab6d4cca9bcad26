# Correct, row by row with itertuples-free positional access and a for/else.
import operator


def apply_rule_list(df, rules, default):
    """Prediction of an ordered rule list for each row of df (first match wins)."""
    ops = {
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
        "==": operator.eq,
    }
    records = df.to_dict("records")
    out = []
    for row in records:
        for conditions, prediction in rules:
            if all(ops[op](row[c], v) for c, op, v in conditions):
                out.append(prediction)
                break
        else:
            out.append(default)
    return out
