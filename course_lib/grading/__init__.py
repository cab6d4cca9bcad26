"""Grading the course's homework: sandboxed, parallel and tamper-proof.

- :mod:`course_lib.grading.spec`: how hidden tests are written (:class:`Test`,
  :class:`Call`, :class:`Read`, :class:`Fail`) and :func:`run_hidden_tests`,
  which a notebook's hidden test region calls.
- :mod:`course_lib.grading.codec`: the plain-data format in which results
  leave the sandbox.
- :mod:`course_lib.grading.sandbox`: running a notebook under bubblewrap.
- :mod:`course_lib.grading.grade`: grading a class on Dask and recording the
  scores in nbgrader's gradebook.
- :class:`~course_lib.grading.feedback.HideHiddenTests`: an nbgrader
  preprocessor that keeps hidden tests out of stock nbgrader's feedback.
- :mod:`course_lib.grading.cli`: the ``course`` command.
"""

from typing import Any

from course_lib.grading.spec import Call, Fail, Outcome, Read, Test, run_hidden_tests

__all__ = [
    "Call",
    "Fail",
    "HideHiddenTests",
    "Outcome",
    "Read",
    "Test",
    "run_hidden_tests",
]


def __getattr__(name: str) -> Any:
    # nbgrader is heavy to import (about 2 s); the sandbox runner, which imports
    # this package, must not pay for it.
    if name == "HideHiddenTests":
        from course_lib.grading.feedback import HideHiddenTests

        return HideHiddenTests
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
