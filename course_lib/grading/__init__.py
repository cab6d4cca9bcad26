"""Tools for instructors who grade the course's homework with nbgrader.

- :class:`~course_lib.grading.feedback.HideHiddenTests`: an nbgrader
  preprocessor that keeps hidden tests and their tracebacks out of feedback.
"""

from course_lib.grading.feedback import HideHiddenTests

__all__ = ["HideHiddenTests"]
