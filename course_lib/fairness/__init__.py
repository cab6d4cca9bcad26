"""Fairness: measuring it, auditing it, and trading error for it.

Laid out like :mod:`fairlearn`, one concept per module:

- :mod:`~course_lib.fairness.metrics`: group metrics and disparities, with
  fairlearn's names and signatures;
- :mod:`~course_lib.fairness.postprocessing`: group thresholds, Hardt-Price-Srebro
  threshold optimisation, "bolt-on" randomisation and its frontier;
- :mod:`~course_lib.fairness.subgroup`: rich subgroup fairness (an auditor for
  the most violated linear subgroup, and a learner that plays against it);
- :mod:`~course_lib.fairness.audit`: black-box audits of a model's outputs
  with confidence intervals.
"""

from course_lib.fairness.audit import (
    IntervalEstimate,
    audit_outputs,
    audit_sample_size,
    difference_ci,
    newcombe_interval,
    wilson_interval,
)
from course_lib.fairness.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    group_metrics,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from course_lib.fairness.postprocessing import (
    ThresholdOptimizer,
    bolt_on_frontier,
    bolt_on_randomization,
    group_thresholds,
    threshold_sweep,
)
from course_lib.fairness.subgroup import (
    GerryFairClassifier,
    LinearThreshold,
    SubgroupAuditor,
)

__all__ = [
    "GerryFairClassifier",
    "IntervalEstimate",
    "LinearThreshold",
    "SubgroupAuditor",
    "ThresholdOptimizer",
    "audit_outputs",
    "audit_sample_size",
    "bolt_on_frontier",
    "bolt_on_randomization",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "difference_ci",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_positive_rate",
    "group_metrics",
    "group_thresholds",
    "newcombe_interval",
    "selection_rate",
    "threshold_sweep",
    "true_negative_rate",
    "true_positive_rate",
    "wilson_interval",
]
