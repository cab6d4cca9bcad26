"""Fairness: measuring it, auditing it, and trading error for it.

Laid out like :mod:`fairlearn`: this package is the public surface, and its
private modules hold one concept each:

- ``_metrics``: group metrics and disparities, with fairlearn's names and
  signatures, over the counting engine of ``_counting`` (validation, group
  codes and per-group confusion matrices shared by the whole package);
- ``_proxy``: how well other features predict the protected attribute;
- ``_pareto``: non-dominated filtering and sweeps of the error-unfairness
  trade-off;
- ``_preprocessing``: reweighing (Kamiran-Calders);
- ``_moments``, ``_oracle``, ``_lagrangian``, ``_exponentiated_gradient`` and
  ``_grid_search``: the reductions approach (Agarwal et al. 2018) over any
  classifier taking sample weights: the constraints, the cost-sensitive best
  response, the Lagrangian game, and its two solvers;
- ``_thresholds``, ``_curves``, ``_threshold_optimizer`` and ``_bolt_on``:
  post-processing: group thresholds and ROC sweeps, the trade-off curves,
  Hardt-Price-Srebro threshold optimisation, and "bolt-on" randomisation and
  its frontier;
- ``_subgroup``: rich subgroup fairness (an auditor for the most violated
  linear subgroup, and a learner that plays against it);
- ``_audit``: black-box audits of a model's outputs with confidence intervals
  (the intervals themselves live in :mod:`course_lib._intervals`, shared with
  :mod:`course_lib.interpret`).
"""

from course_lib._intervals import (
    IntervalEstimate,
    newcombe_interval,
    wilson_interval,
)
from course_lib.fairness._audit import (
    audit_outputs,
    audit_sample_size,
    difference_ci,
)
from course_lib.fairness._bolt_on import bolt_on_frontier, bolt_on_randomization
from course_lib.fairness._exponentiated_gradient import ExponentiatedGradient
from course_lib.fairness._grid_search import GridSearch
from course_lib.fairness._metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_negative_rate_difference,
    false_negative_rate_ratio,
    false_positive_rate,
    false_positive_rate_difference,
    false_positive_rate_ratio,
    group_metrics,
    selection_rate,
    selection_rate_difference,
    selection_rate_ratio,
    true_negative_rate,
    true_negative_rate_difference,
    true_negative_rate_ratio,
    true_positive_rate,
    true_positive_rate_difference,
    true_positive_rate_ratio,
)
from course_lib.fairness._moments import (
    DemographicParity,
    EqualizedOdds,
    ErrorRate,
    ErrorRateParity,
    FalsePositiveRateParity,
    TruePositiveRateParity,
)
from course_lib.fairness._pareto import pareto_front, plot_front
from course_lib.fairness._pareto import sweep as pareto_sweep
from course_lib.fairness._preprocessing import Reweighing, reweighing_weights
from course_lib.fairness._proxy import (
    default_proxy_estimator,
    feature_proxy_scores,
    proxy_strength,
)
from course_lib.fairness._subgroup import (
    GerryFairClassifier,
    LinearThreshold,
    SubgroupAuditor,
)
from course_lib.fairness._threshold_optimizer import ThresholdOptimizer
from course_lib.fairness._thresholds import group_thresholds, threshold_sweep

__all__ = [
    "DemographicParity",
    "EqualizedOdds",
    "ErrorRate",
    "ErrorRateParity",
    "ExponentiatedGradient",
    "FalsePositiveRateParity",
    "GerryFairClassifier",
    "GridSearch",
    "IntervalEstimate",
    "LinearThreshold",
    "Reweighing",
    "SubgroupAuditor",
    "ThresholdOptimizer",
    "TruePositiveRateParity",
    "audit_outputs",
    "audit_sample_size",
    "bolt_on_frontier",
    "bolt_on_randomization",
    "default_proxy_estimator",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "difference_ci",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_negative_rate_difference",
    "false_negative_rate_ratio",
    "false_positive_rate",
    "false_positive_rate_difference",
    "false_positive_rate_ratio",
    "feature_proxy_scores",
    "group_metrics",
    "group_thresholds",
    "newcombe_interval",
    "pareto_front",
    "pareto_sweep",
    "plot_front",
    "proxy_strength",
    "reweighing_weights",
    "selection_rate",
    "selection_rate_difference",
    "selection_rate_ratio",
    "threshold_sweep",
    "true_negative_rate",
    "true_negative_rate_difference",
    "true_negative_rate_ratio",
    "true_positive_rate",
    "true_positive_rate_difference",
    "true_positive_rate_ratio",
    "wilson_interval",
]
