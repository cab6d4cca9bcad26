# Correct, looping over outcomes with the groups drawn separately and t computed by hand.
import numpy as np
from scipy import stats


def smallest_pvalue(n_studies, n_per_group, n_outcomes, rho, rng):
    """Smallest t-test p-value over correlated outcomes, in studies with no effect."""
    shared_a = rng.normal(size=(n_studies, n_per_group))
    shared_b = rng.normal(size=(n_studies, n_per_group))
    best = np.ones(n_studies)
    for _ in range(n_outcomes):
        a = np.sqrt(rho) * shared_a + np.sqrt(1 - rho) * rng.normal(size=shared_a.shape)
        b = np.sqrt(rho) * shared_b + np.sqrt(1 - rho) * rng.normal(size=shared_b.shape)
        pooled = (a.var(axis=1, ddof=1) + b.var(axis=1, ddof=1)) / 2
        t = (a.mean(axis=1) - b.mean(axis=1)) / np.sqrt(2 * pooled / n_per_group)
        p = 2 * stats.t.sf(np.abs(t), df=2 * n_per_group - 2)
        best = np.minimum(best, p)
    return best
