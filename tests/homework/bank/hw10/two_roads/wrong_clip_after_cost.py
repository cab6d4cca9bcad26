# Clips the flows but computes the costs (and the price of anarchy) from the unclipped splits.
def two_roads(demand, slopes, constants):
    """Wardrop equilibrium, system optimum and price of anarchy on two parallel roads."""
    a1, a2 = slopes
    b1, b2 = constants
    x1 = (a2 * demand + b2 - b1) / (a1 + a2)
    y1 = (2 * a2 * demand + b2 - b1) / (2 * (a1 + a2))

    def cost(f1):
        f2 = demand - f1
        return f1 * (a1 * f1 + b1) + f2 * (a2 * f2 + b2)

    poa = cost(x1) / cost(y1)
    x1, y1 = min(max(x1, 0), demand), min(max(y1, 0), demand)
    return {
        "equilibrium": [x1, demand - x1],
        "optimum": [y1, demand - y1],
        "price_of_anarchy": poa,
    }
