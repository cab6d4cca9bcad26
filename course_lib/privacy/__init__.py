"""Privacy: attacks on released data, and differential privacy that resists them.

One concept per (private) module; every public name is imported from here:

- ``_synthetic``: the course's synthetic identifiers, location traces and
  census block (nothing downloads);
- ``_reidentification``: uniqueness and linkage, k-anonymity and its
  homogeneity failure, differencing;
- ``_reconstruction``: the Dinur-Nissim reconstruction attack on noisy
  subset-sum queries;
- ``_census_reconstruction``: a census block's published tables and every
  block consistent with them (Garfinkel, Abowd and Martindale 2019);
- ``_membership``: loss-threshold membership inference, its audit over random
  splits, and the most it can reach against a differentially private model;
- ``_mechanisms``: randomised response, the Laplace, Gaussian and exponential
  mechanisms, report-noisy-max, sparse vector, private quantiles, counts,
  sums and means (vectorised, ``rng`` everywhere);
- ``_sampling``: exact discrete Laplace and Gaussian sampling (Canonne,
  Kamath, Steinke 2020) and the floating-point attack on naive Laplace
  sampling (Mironov 2012);
- ``_accounting``: composition, zCDP, Rényi DP of the subsampled Gaussian,
  and budgets that refuse to overspend;
- ``_hierarchy``: noisy hierarchical counts made consistent and non-negative
  (the idea of the Census TopDown algorithm);
- ``_learning``: per-example clipping, noisy gradient descent and DP-SGD
  logistic regression with an accountant;
- ``_audit``: statistical lower bounds on a mechanism's epsilon from its
  outputs on neighbouring inputs.
"""

from course_lib.privacy._accounting import (
    BudgetExceededError,
    PrivacyBudget,
    Spend,
    ZCDPBudget,
    advanced_composition,
    gaussian_sigma_for_zcdp,
    parallel_composition,
    rdp_subsampled_gaussian,
    rdp_to_dp,
    rho_for_dp,
    sequential_composition,
    zcdp_of_gaussian,
    zcdp_of_pure_dp,
    zcdp_to_dp,
)
from course_lib.privacy._audit import (
    AuditResult,
    audit_mechanism,
    epsilon_lower_bound,
    equality_events,
    threshold_events,
)
from course_lib.privacy._census_reconstruction import (
    BLOCK_STATISTICS,
    block_tables,
    reconstruct_block,
)
from course_lib.privacy._hierarchy import (
    consistent_counts,
    hierarchy_counts,
    noisy_hierarchy,
    synthetic_geography,
)
from course_lib.privacy._learning import (
    DPLogisticRegression,
    clip_gradients,
    dp_sgd_noise_multiplier,
)
from course_lib.privacy._mechanisms import (
    above_threshold,
    classic_gaussian_sigma,
    exponential_mechanism,
    exponential_mechanism_probabilities,
    gaussian_mechanism,
    gaussian_sigma,
    laplace_mechanism,
    private_count,
    private_mean,
    private_quantile,
    private_sum,
    randomized_response,
    randomized_response_estimate,
    report_noisy_max,
    sparse_vector,
)
from course_lib.privacy._membership import (
    advantage_bound,
    loss_threshold_attack,
    membership_advantage,
    membership_audit,
)
from course_lib.privacy._reconstruction import (
    answer_queries,
    dinur_nissim_reconstruct,
    reconstruction_curve,
    reconstruction_rate,
    subset_sum_queries,
)
from course_lib.privacy._reidentification import (
    differencing_attack,
    generalize,
    homogeneity_attack,
    k_anonymity,
    linkage_attack,
    uniqueness,
)
from course_lib.privacy._sampling import (
    discrete_gaussian,
    discrete_laplace,
    discrete_laplace_mechanism,
    mironov_attack,
    naive_laplace,
)
from course_lib.privacy._synthetic import (
    BLOCK_RACES,
    BLOCK_SEXES,
    CENSUS_YEAR,
    MIN_MARRIED_AGE,
    adult_with_identifiers,
    census_block,
    location_traces,
)

__all__ = [
    "BLOCK_RACES",
    "BLOCK_SEXES",
    "BLOCK_STATISTICS",
    "CENSUS_YEAR",
    "MIN_MARRIED_AGE",
    "AuditResult",
    "BudgetExceededError",
    "DPLogisticRegression",
    "PrivacyBudget",
    "Spend",
    "ZCDPBudget",
    "above_threshold",
    "adult_with_identifiers",
    "advanced_composition",
    "advantage_bound",
    "answer_queries",
    "audit_mechanism",
    "block_tables",
    "census_block",
    "classic_gaussian_sigma",
    "clip_gradients",
    "consistent_counts",
    "differencing_attack",
    "dinur_nissim_reconstruct",
    "discrete_gaussian",
    "discrete_laplace",
    "discrete_laplace_mechanism",
    "dp_sgd_noise_multiplier",
    "epsilon_lower_bound",
    "equality_events",
    "exponential_mechanism",
    "exponential_mechanism_probabilities",
    "gaussian_mechanism",
    "gaussian_sigma",
    "gaussian_sigma_for_zcdp",
    "generalize",
    "hierarchy_counts",
    "homogeneity_attack",
    "k_anonymity",
    "laplace_mechanism",
    "linkage_attack",
    "location_traces",
    "loss_threshold_attack",
    "membership_advantage",
    "membership_audit",
    "mironov_attack",
    "naive_laplace",
    "noisy_hierarchy",
    "parallel_composition",
    "private_count",
    "private_mean",
    "private_quantile",
    "private_sum",
    "randomized_response",
    "randomized_response_estimate",
    "rdp_subsampled_gaussian",
    "rdp_to_dp",
    "reconstruct_block",
    "reconstruction_curve",
    "reconstruction_rate",
    "report_noisy_max",
    "rho_for_dp",
    "sequential_composition",
    "sparse_vector",
    "subset_sum_queries",
    "synthetic_geography",
    "threshold_events",
    "uniqueness",
    "zcdp_of_gaussian",
    "zcdp_of_pure_dp",
    "zcdp_to_dp",
]
