"""The pipeline around the algorithm: labels, selection and feedback.

A model sits between data that earlier decisions produced and decisions that
produce the next data. Three private modules, one concept each, re-exported
here:

- ``_labels``: what a label measures: alternative COMPAS outcome labels
  (:func:`compas_labels`, :func:`charge_categories`) and how group error
  rates move if some offences go unrecorded (:func:`missed_offence_rates`);
- ``_selective``: selective labels: outcomes observed only for those the
  old decision approved (:func:`selective_rates`,
  :func:`selective_labels_experiment`);
- ``_delayed_impact``: Liu et al.'s (2018) one-step model of how lending
  policies change a group's credit scores, on the FICO data
  (:func:`fico_population`, :func:`outcome_curve`, :func:`lending_policies`
  and helpers).
"""

from course_lib.pipeline._delayed_impact import (
    FICO_PERCENTILE_BANDS,
    LendingPopulation,
    acceptance_from_rate,
    expected_score_change,
    fico_population,
    harm_threshold,
    impact_regime,
    lending_policies,
    outcome_curve,
    outcome_peak,
    simulate_score_changes,
    transrisk_to_fico,
    utility_curve,
)
from course_lib.pipeline._labels import (
    DISCRETIONARY_PATTERNS,
    charge_categories,
    compas_labels,
    missed_offence_rates,
)
from course_lib.pipeline._selective import (
    SelectiveLabelsResult,
    default_selective_estimator,
    selective_labels_experiment,
    selective_rates,
)

__all__ = [
    "DISCRETIONARY_PATTERNS",
    "FICO_PERCENTILE_BANDS",
    "LendingPopulation",
    "SelectiveLabelsResult",
    "acceptance_from_rate",
    "charge_categories",
    "compas_labels",
    "default_selective_estimator",
    "expected_score_change",
    "fico_population",
    "harm_threshold",
    "impact_regime",
    "lending_policies",
    "missed_offence_rates",
    "outcome_curve",
    "outcome_peak",
    "selective_labels_experiment",
    "selective_rates",
    "simulate_score_changes",
    "transrisk_to_fico",
    "utility_curve",
]
