"""Reference implementations for *The Science of Data Ethics*.

The chapters of the course import this package; each module holds one concept
and is tested on its own.

- :mod:`course_lib.datasets`: the four vendored datasets (Adult, COMPAS,
  German credit, FICO), verified against their checksums when loaded.
- :mod:`course_lib.fairness`: group fairness metrics with fairlearn's names
  and signatures, reductions, post-processing, subgroup audits.
- :mod:`course_lib.adaptive`: forking paths and p-hacking, Bonferroni and
  Benjamini-Hochberg, a naive holdout against Thresholdout.
- :mod:`course_lib.games`: equilibria, routing and the price of anarchy,
  stable matching, multiplicative weights.
- :mod:`course_lib.interpret`: sparse and simple models, rule lists and trees
  as rules, counterfactual explanations and recourse.
- :mod:`course_lib.privacy`: attacks on released data, differential-privacy
  mechanisms, accounting and private learning.
"""

from course_lib import adaptive, datasets, fairness, games, interpret, privacy
from course_lib.datasets import (
    DatasetIntegrityError,
    load_adult,
    load_compas,
    load_fico,
    load_german,
)

__version__ = "0.1.0"

__all__ = [
    "DatasetIntegrityError",
    "__version__",
    "adaptive",
    "datasets",
    "fairness",
    "games",
    "interpret",
    "load_adult",
    "load_compas",
    "load_fico",
    "load_german",
    "privacy",
]
