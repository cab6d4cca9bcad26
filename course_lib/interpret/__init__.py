"""Interpretability: simple models, rule lists and recourse.

One concept per module:

- ``_simple_models``: best-subset (sparse) logistic
  regression, integer scorecards and accuracy comparisons with confidence
  intervals (a two-feature model against COMPAS);
- ``_rules``: rule lists learned by sequential
  covering, and decision trees turned into readable rules;
- ``_recourse``: counterfactual explanations and
  recourse for linear classifiers (Ustun, Spangher and Liu 2019).
"""

from course_lib.interpret._recourse import (
    Counterfactual,
    counterfactual,
    recourse_report,
)
from course_lib.interpret._rules import (
    Condition,
    Rule,
    RuleListClassifier,
    tree_rules,
)
from course_lib.interpret._simple_models import (
    AccuracyComparison,
    BestSubsetResult,
    Scorecard,
    SparseLinearClassifier,
    best_subset_logistic,
    compare_accuracy,
    integer_score,
)

__all__ = [
    "AccuracyComparison",
    "BestSubsetResult",
    "Condition",
    "Counterfactual",
    "Rule",
    "RuleListClassifier",
    "Scorecard",
    "SparseLinearClassifier",
    "best_subset_logistic",
    "compare_accuracy",
    "counterfactual",
    "integer_score",
    "recourse_report",
    "tree_rules",
]
