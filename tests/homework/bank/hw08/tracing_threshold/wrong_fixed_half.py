# Keeps the chapter's threshold of 1/2, whatever the budget and the costs.
def tracing_threshold(
    exposures, epsilon, sensitivity, cost_infection, cost_quarantine, visitors
):
    """The warning threshold with the smallest expected cost of noisy exposure counts."""
    return 0.5
