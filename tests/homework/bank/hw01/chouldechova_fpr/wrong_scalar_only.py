# Correct formula, but only for plain numbers: math.isclose-style code on floats.
def chouldechova_fpr(base_rate, ppv, fnr):
    p, q, r = float(base_rate), float(ppv), float(fnr)
    return p / (1 - p) * (1 - q) / q * (1 - r)
