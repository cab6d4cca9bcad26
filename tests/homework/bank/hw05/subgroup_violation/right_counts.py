# Correct, from counts of false positives and negatives.
def subgroup_violation(y_true, y_pred, mask):
    y = [int(v) for v in y_true]
    p = [int(v) for v in y_pred]
    g = [bool(v) for v in mask]
    n = len(y)
    neg = sum(1 for t in y if t == 0)
    fp = sum(1 for t, q in zip(y, p, strict=True) if t == 0 and q == 1)
    neg_g = sum(1 for t, m in zip(y, g, strict=True) if t == 0 and m)
    fp_g = sum(1 for t, q, m in zip(y, p, g, strict=True) if t == 0 and q == 1 and m)
    if neg_g == 0:
        return 0.0
    return neg_g / n * abs(fp_g / neg_g - fp / neg)
