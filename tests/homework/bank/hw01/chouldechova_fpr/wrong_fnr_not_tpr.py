# Multiplies by the FNR instead of 1 - FNR.
def chouldechova_fpr(base_rate, ppv, fnr):
    return base_rate / (1 - base_rate) * (1 - ppv) / ppv * fnr
