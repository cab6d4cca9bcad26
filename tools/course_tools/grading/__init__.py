"""Grading the course's homework: sandboxed, parallel and tamper-proof.

- :mod:`course_tools.grading.spec`: how hidden tests are written (:class:`Test`,
  :class:`Call`, :class:`Read`, :class:`Fail`) and :func:`run_hidden_tests`,
  which a notebook's hidden test region calls.
- :mod:`course_tools.grading.checks`: exact statistical checks that the hidden
  tests of randomised answers share (binomial and sign tests).
- :mod:`course_tools.grading.inputs`: random inputs that the hidden tests of
  several homework draw alike.
- :mod:`course_tools.grading.codec`: the plain-data format in which results
  leave the sandbox.
- :mod:`course_tools.grading.sandbox`: running a notebook under bubblewrap.
- :mod:`course_tools.grading.grade`: grading a class (in worker threads, or on
  an existing Dask cluster) and recording the scores in nbgrader's gradebook.
- :class:`~course_tools.grading.feedback.HideHiddenTests`: an nbgrader
  preprocessor that keeps hidden tests out of stock nbgrader's feedback.
- :mod:`course_tools.grading.collect`: putting an LMS zip (Canvas, Moodle, one
  folder per student) into ``submitted/``.
- :mod:`course_tools.grading.report`: ``grades.csv`` and a self-contained HTML
  grade report from the gradebook.
- :mod:`course_tools.grading.scan`: a static scan for tampering idioms.
- :mod:`course_tools.grading.cli`: the ``course`` command.
"""

import importlib
from typing import Any

__all__ = [
    "Call",
    "CollectEntry",
    "CollectReport",
    "Fail",
    "HideHiddenTests",
    "InertAnswers",
    "Outcome",
    "Read",
    "Test",
    "collect_zip",
    "export_grades",
    "run_hidden_tests",
]


_LAZY = {
    # Everything loads when first named: the sandbox's runner lives in this
    # package and must start without numpy, pandas, nbgrader or matplotlib.
    "Call": "course_tools.grading.spec",
    "Fail": "course_tools.grading.spec",
    "Outcome": "course_tools.grading.spec",
    "Read": "course_tools.grading.spec",
    "Test": "course_tools.grading.spec",
    "run_hidden_tests": "course_tools.grading.spec",
    "HideHiddenTests": "course_tools.grading.feedback",
    "InertAnswers": "course_tools.grading.feedback",
    "CollectEntry": "course_tools.grading.collect",
    "CollectReport": "course_tools.grading.collect",
    "collect_zip": "course_tools.grading.collect",
    "export_grades": "course_tools.grading.report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
