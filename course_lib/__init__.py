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
- :mod:`course_lib.pipeline`: the pipeline around the model: what a label
  measures, selective labels, and the delayed impact of decisions.
- :mod:`course_lib.book`: what lets the book's notebooks run wherever students
  are (the chapters' ``glue`` and the setup cell that installs this library).

Subpackages load on first use (PEP 562): ``import course_lib.datasets`` does
not import scikit-learn, and ``course_lib.fairness`` is imported the first
time it is named.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBPACKAGES = (
    "adaptive",
    "datasets",
    "fairness",
    "games",
    "interpret",
    "pipeline",
    "privacy",
)
_FROM_DATASETS = (
    "DatasetIntegrityError",
    "load_adult",
    "load_compas",
    "load_fico",
    "load_german",
)

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
    "pipeline",
    "privacy",
]

if TYPE_CHECKING:  # what static tools see; at run time, __getattr__ below
    from course_lib import (
        adaptive,
        datasets,
        fairness,
        games,
        interpret,
        pipeline,
        privacy,
    )
    from course_lib.datasets import (
        DatasetIntegrityError,
        load_adult,
        load_compas,
        load_fico,
        load_german,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f"course_lib.{name}")
    if name in _FROM_DATASETS:
        return getattr(importlib.import_module("course_lib.datasets"), name)
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
