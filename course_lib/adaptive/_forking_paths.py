"""The garden of forking paths: researcher degrees of freedom under a true null.

Simmons, Nelson and Simonsohn ("False-positive psychology", 2011) showed that
a few innocent-looking choices, made after seeing the data, push the chance
of a "significant" result far above the nominal 5% when nothing is there.
:func:`p_hacking_simulation` simulates many two-group studies with **no**
effect and lets a flexible analyst try every combination of

- several correlated outcome measures (``n_outcomes``);
- optional stopping: test, and if the result disappoints, add subjects and
  test again (``n_looks``, ``n_added_per_look``);
- subgroups: the whole sample, or only one level of a categorical attribute
  such as gender (``n_subgroups``);
- covariates: adjust for any subset of ``n_covariates`` baseline variables
  (ANCOVA).

Each fork is a two-sided t-test of the group coefficient in the least-squares
regression of the outcome on an intercept, the group and the chosen
covariates; with no covariate it is Student's two-sample t-test
(:func:`scipy.stats.ttest_ind`). The analyst who reports "the effect is
significant" whenever *some* fork has ``p < alpha`` has a false-positive rate
equal to the share of studies whose smallest p-value is below ``alpha``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from course_lib._checks import check_int, check_real, check_rng

__all__ = ["count_forks", "p_hacking_simulation"]


def count_forks(
    *,
    n_outcomes: int = 1,
    n_looks: int = 1,
    n_subgroups: int = 1,
    n_covariates: int = 0,
) -> int:
    """Number of analyses the flexible analyst of :func:`p_hacking_simulation` runs.

    ``n_outcomes * n_looks * s * 2**n_covariates`` with ``s = 1`` when
    ``n_subgroups == 1`` (no split) and ``s = 1 + n_subgroups`` otherwise
    (the whole sample and each subgroup).

    Parameters
    ----------
    n_outcomes, n_looks, n_subgroups : int, default 1
        As in :func:`p_hacking_simulation` (each at least 1).
    n_covariates : int, default 0
        As in :func:`p_hacking_simulation` (0 to 6).

    Returns
    -------
    int
        The number of forks.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> count_forks()
    1
    >>> count_forks(n_outcomes=2, n_looks=2, n_subgroups=2, n_covariates=1)
    24
    """
    n_outcomes = check_int(n_outcomes, "n_outcomes", low=1)
    n_looks = check_int(n_looks, "n_looks", low=1)
    n_subgroups = check_int(n_subgroups, "n_subgroups", low=1)
    n_covariates = check_int(n_covariates, "n_covariates", low=0, high=6)
    split = 1 if n_subgroups == 1 else 1 + n_subgroups
    return n_outcomes * n_looks * split * 2**n_covariates


def _group_pvalues(
    y: np.ndarray, group: np.ndarray, covariates: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Two-sided p-values of the group coefficient, one per study and outcome.

    ``y`` is (studies, outcomes, subjects), ``group`` (subjects,) of 0/1,
    ``covariates`` (studies, c, subjects) and ``weight`` (studies, subjects)
    of 0/1 selecting each study's analysed subjects. Returns (studies,
    outcomes), NaN where the model cannot be fitted (a group empty in the
    selection, or no residual degree of freedom).
    """
    n_studies, _, n_subjects = y.shape
    ones = np.ones((n_studies, 1, n_subjects))
    g = np.broadcast_to(group.astype(float), (n_studies, 1, n_subjects))
    z = np.concatenate([ones, g, covariates], axis=1)  # (studies, p, subjects)
    p = z.shape[1]
    zw = z * weight[:, None, :]
    gram = np.einsum("spn,sqn->spq", zw, z)
    zy = np.einsum("spn,smn->smp", zw, y)
    yy = np.einsum("sn,smn->sm", weight, y * y)
    n_used = weight.sum(axis=1)
    n_treated = weight @ group.astype(float)
    df = n_used - p
    ok = (n_treated >= 1) & (n_used - n_treated >= 1) & (df >= 1)
    # Singular designs (rare: a subgroup with too few subjects) are fitted
    # against the identity and reported as NaN.
    ok &= np.linalg.cond(np.where(ok[:, None, None], gram, np.eye(p))) < 1e10
    gram = np.where(ok[:, None, None], gram, np.eye(p))
    inverse = np.linalg.inv(gram)
    beta = np.einsum("spq,smq->smp", inverse, zy)
    rss = np.maximum(yy - np.einsum("smp,smp->sm", beta, zy), 0.0)
    dof = np.where(ok, df, 1.0)[:, None]
    se = np.sqrt(rss / dof * inverse[:, 1, 1][:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta[:, :, 1] / se
    pvalues = 2 * stats.t.sf(np.abs(t), dof)
    pvalues[~ok] = np.nan
    return pvalues


def p_hacking_simulation(
    *,
    n_studies: int,
    n_per_group: int,
    n_outcomes: int = 1,
    outcome_correlation: float = 0.5,
    n_looks: int = 1,
    n_added_per_look: int = 10,
    n_subgroups: int = 1,
    n_covariates: int = 0,
    covariate_effect: float = 0.5,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Smallest p-value over a flexible analyst's forks, in studies with no effect.

    Every study compares two groups of equal size on outcomes that do not
    depend on the group: the null hypothesis is true in every study and every
    fork. Subject ``i``'s outcome ``j`` is
    ``sqrt(rho) F_i + sqrt(1 - rho) E_ij + b * (C_i1 + ... + C_ic)`` with
    ``F``, ``E`` and the covariates ``C`` independent N(0, 1), ``rho =
    outcome_correlation`` and ``b = covariate_effect``; each subject's
    subgroup is uniform on ``n_subgroups`` levels.

    The analyst runs every combination (:func:`count_forks` of them) of an
    outcome, a look (after ``n_per_group + l * n_added_per_look`` subjects per
    group, ``l = 0, ..., n_looks - 1``), the whole sample or one subgroup, and
    a subset of the covariates to adjust for, and keeps the smallest p-value.

    Parameters
    ----------
    n_studies : int
        Simulated studies (rows of the result).
    n_per_group : int
        Subjects per group at the first look (at least 2).
    n_outcomes : int, default 1
        Outcome measures.
    outcome_correlation : float, default 0.5
        Correlation between two outcomes of a subject, in [0, 1).
    n_looks : int, default 1
        Looks at the data under optional stopping (1: a fixed sample size).
    n_added_per_look : int, default 10
        Subjects added to each group before each further look.
    n_subgroups : int, default 1
        Levels of the attribute the analyst may split by (1: no split).
    n_covariates : int, default 0
        Covariates the analyst may adjust for, any subset of them (0 to 6).
    covariate_effect : float, default 0.5
        Coefficient of each covariate in every outcome (>= 0), so that
        adjusting changes the test.
    rng : numpy.random.Generator
        Source of the simulated data.

    Returns
    -------
    pandas.DataFrame
        One row per study: ``study``, ``p_preregistered`` (first outcome,
        first look, whole sample, no covariate: the analysis a
        pre-registration would have fixed), ``p_min`` (the smallest p-value
        over the forks, NaN ones ignored), ``best_fork`` (which fork gave it)
        and ``n_forks``.

    Raises
    ------
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    ValueError
        If an argument is out of range.

    Notes
    -----
    A subgroup fork whose design cannot be fitted (a group with no subject in
    the subgroup) has p-value NaN and is skipped. The work is vectorised over
    studies and outcomes; the Python loop runs over looks, subgroups and
    covariate subsets (the forks), never over studies or subjects.

    Examples
    --------
    >>> import numpy as np
    >>> df = p_hacking_simulation(
    ...     n_studies=2000, n_per_group=20, n_outcomes=2, n_looks=2,
    ...     rng=np.random.default_rng(0),
    ... )
    >>> int(df["n_forks"].iloc[0])
    4
    >>> bool((df["p_min"] <= df["p_preregistered"]).all())
    True
    >>> rates = (df[["p_preregistered", "p_min"]] < 0.05).mean()
    >>> bool(rates["p_min"] > 1.5 * rates["p_preregistered"])
    True
    """
    rng = check_rng(rng)
    n_studies = check_int(n_studies, "n_studies", low=1)
    n_per_group = check_int(n_per_group, "n_per_group", low=2)
    n_looks = check_int(n_looks, "n_looks", low=1)
    n_added_per_look = check_int(n_added_per_look, "n_added_per_look", low=1)
    rho = check_real(
        outcome_correlation, "outcome_correlation", low=0.0, high=1.0, high_open=True
    )
    b = check_real(covariate_effect, "covariate_effect", low=0.0)
    n_forks = count_forks(
        n_outcomes=n_outcomes,
        n_looks=n_looks,
        n_subgroups=n_subgroups,
        n_covariates=n_covariates,
    )

    size = n_per_group + (n_looks - 1) * n_added_per_look  # per group, at most
    n_subjects = 2 * size
    group = np.repeat([0, 1], size)
    position = np.tile(np.arange(size), 2)  # order of arrival within a group
    common = rng.standard_normal((n_studies, 1, n_subjects))
    own = rng.standard_normal((n_studies, n_outcomes, n_subjects))
    covariates = rng.standard_normal((n_studies, n_covariates, n_subjects))
    y = math.sqrt(rho) * common + math.sqrt(1 - rho) * own
    y += b * covariates.sum(axis=1, keepdims=True)
    subgroup = rng.integers(n_subgroups, size=(n_studies, n_subjects))

    sizes = n_per_group + n_added_per_look * np.arange(n_looks)
    splits: list[int | None] = [None]
    if n_subgroups > 1:
        splits += list(range(n_subgroups))
    subsets = [
        s
        for r in range(n_covariates + 1)
        for s in itertools.combinations(range(n_covariates), r)
    ]

    pvalues = []
    labels = []
    for n_look, split, subset in itertools.product(sizes, splits, subsets):
        weight = np.broadcast_to(position < n_look, (n_studies, n_subjects))
        if split is not None:
            weight = weight & (subgroup == split)
        pvalues.append(
            _group_pvalues(
                y, group, covariates[:, list(subset), :], weight.astype(float)
            )
        )
        where = "all" if split is None else f"subgroup {split}"
        labels += [
            f"outcome {j}, n={n_look}/group, {where}, covariates {list(subset)}"
            for j in range(n_outcomes)
        ]
    all_p = np.concatenate(pvalues, axis=1)  # (studies, forks)
    labels_arr = np.array(labels, dtype=object)
    best = np.argmin(np.where(np.isnan(all_p), np.inf, all_p), axis=1)
    return pd.DataFrame(
        {
            "study": np.arange(n_studies),
            "p_preregistered": all_p[:, 0],
            "p_min": all_p[np.arange(n_studies), best],
            "best_fork": labels_arr[best],
            "n_forks": n_forks,
        }
    )
