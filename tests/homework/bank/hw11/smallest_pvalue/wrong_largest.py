# Reports the largest p-value over the outcomes instead of the smallest.
import numpy as np
from scipy import stats


def smallest_pvalue(n_studies, n_per_group, n_outcomes, rho, rng):
    """Smallest t-test p-value over correlated outcomes, in studies with no effect."""
    n = 2 * n_per_group
    common = rng.standard_normal((n_studies, 1, n))
    own = rng.standard_normal((n_studies, n_outcomes, n))
    y = np.sqrt(rho) * common + np.sqrt(1 - rho) * own
    result = stats.ttest_ind(y[:, :, :n_per_group], y[:, :, n_per_group:], axis=2)
    return result.pvalue.max(axis=1)
