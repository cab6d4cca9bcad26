"""Fairness assessment: group metrics and disparity measures.

Laid out like :mod:`fairlearn`: :mod:`course_lib.fairness.metrics` holds the
metrics; later modules (post-processing, reductions, subgroup auditing) will
sit next to it.
"""

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

__all__ = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_positive_rate",
    "group_metrics",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
]
