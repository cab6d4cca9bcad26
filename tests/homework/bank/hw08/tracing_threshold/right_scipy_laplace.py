# scipy: warning probabilities from stats.laplace.sf, a grid, then minimize_scalar near its best point.
import numpy as np
from scipy import optimize, stats


def tracing_threshold(
    exposures, epsilon, sensitivity, cost_infection, cost_quarantine, visitors
):
    """The warning threshold with the smallest expected cost of noisy exposure counts."""
    x = np.asarray(exposures, dtype=float)
    b = sensitivity / epsilon
    levels, places = np.unique(x[x > 0], return_counts=True)
    unexposed = int(np.sum(x == 0))

    def cost(t):
        t = np.atleast_1d(t)[:, None]
        missed = (levels * places * stats.laplace.cdf(t, loc=levels, scale=b)).sum(
            axis=1
        )
        warned = stats.laplace.sf(t[:, 0], loc=0.0, scale=b)
        return cost_infection * missed + cost_quarantine * visitors * unexposed * warned

    grid = np.linspace(-40 * b, x.max() + 40 * b, 4001)
    i = int(np.argmin(cost(grid)))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(
        lambda t: cost(t)[0], bounds=(lo, hi), method="bounded"
    )
    return float(res.x) if res.fun <= cost(grid[i])[0] else float(grid[i])
