# Correct, differently: finds each split by bisection on the difference of (marginal) travel times.
def two_roads(demand, slopes, constants):
    """Wardrop equilibrium, system optimum and price of anarchy on two parallel roads."""
    (a1, a2), (b1, b2) = slopes, constants

    def split(k):
        # k = 1: travel times a x + b; k = 2: marginal costs 2 a x + b.
        def excess(x):
            return (k * a1 * x + b1) - (k * a2 * (demand - x) + b2)

        if excess(0.0) >= 0:
            return 0.0
        if excess(demand) <= 0:
            return float(demand)
        lo, hi = 0.0, float(demand)
        for _ in range(200):
            mid = (lo + hi) / 2
            if excess(mid) < 0:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    def total(x):
        return x * (a1 * x + b1) + (demand - x) * (a2 * (demand - x) + b2)

    eq, opt = split(1), split(2)
    return {
        "equilibrium": [eq, demand - eq],
        "optimum": [opt, demand - opt],
        "price_of_anarchy": total(eq) / total(opt),
    }
