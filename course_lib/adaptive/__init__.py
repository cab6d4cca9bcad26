"""Adaptive data analysis: forking paths, multiple testing, the reusable holdout.

One concept per module:

- ``_multiple_testing``: Bonferroni and
  Benjamini-Hochberg, with false discovery proportion and family-wise error
  for simulations;
- ``_forking_paths``: researcher degrees of freedom
  (several outcomes, optional stopping, subgroups, covariates) simulated
  under a true null;
- ``_holdout``: a naive holdout against Thresholdout
  (Dwork et al. 2015) under adaptive queries.
"""

from course_lib.adaptive._forking_paths import count_forks, p_hacking_simulation
from course_lib.adaptive._holdout import (
    MECHANISMS,
    Thresholdout,
    adaptive_overfitting_experiment,
    naive_holdout,
)
from course_lib.adaptive._multiple_testing import (
    benjamini_hochberg,
    bonferroni,
    false_discovery_proportion,
    family_wise_error,
)

__all__ = [
    "MECHANISMS",
    "Thresholdout",
    "adaptive_overfitting_experiment",
    "benjamini_hochberg",
    "bonferroni",
    "count_forks",
    "false_discovery_proportion",
    "family_wise_error",
    "naive_holdout",
    "p_hacking_simulation",
]
