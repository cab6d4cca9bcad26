# Ignores rho: the outcomes are independent instead of correlated.
from scipy import stats


def smallest_pvalue(n_studies, n_per_group, n_outcomes, rho, rng):
    """Smallest t-test p-value over correlated outcomes, in studies with no effect."""
    y = rng.standard_normal((n_studies, n_outcomes, 2 * n_per_group))
    result = stats.ttest_ind(y[:, :, :n_per_group], y[:, :, n_per_group:], axis=2)
    return result.pvalue.min(axis=1)
