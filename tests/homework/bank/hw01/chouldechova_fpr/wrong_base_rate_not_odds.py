# Uses the base rate p where the odds p / (1 - p) belong.
def chouldechova_fpr(base_rate, ppv, fnr):
    return base_rate * (1 - ppv) / ppv * (1 - fnr)
