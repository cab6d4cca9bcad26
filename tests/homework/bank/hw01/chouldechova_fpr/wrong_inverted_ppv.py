# Inverts the PPV factor.
def chouldechova_fpr(base_rate, ppv, fnr):
    return base_rate / (1 - base_rate) * ppv / (1 - ppv) * (1 - fnr)
