# Divides the optimum's cost by the equilibrium's (a ratio at most 1).
def two_roads(demand, slopes, constants):
    """Wardrop equilibrium, system optimum and price of anarchy on two parallel roads."""
    a1, a2 = slopes
    b1, b2 = constants
    x1 = min(max((a2 * demand + b2 - b1) / (a1 + a2), 0.0), demand)
    y1 = min(max((2 * a2 * demand + b2 - b1) / (2 * (a1 + a2)), 0.0), demand)

    def cost(f1):
        f2 = demand - f1
        return f1 * (a1 * f1 + b1) + f2 * (a2 * f2 + b2)

    return {
        "equilibrium": [x1, demand - x1],
        "optimum": [y1, demand - y1],
        "price_of_anarchy": cost(y1) / cost(x1),
    }
