"""The instructor tools of *The Science of Data Ethics*: the ``course`` command.

A product of its own, beside the student library ``course_lib`` (which
students install, and which never needs any of this):

- :mod:`course_tools.grading`: releasing, collecting from the LMS, sandboxed
  parallel grading on nbgrader's gradebook, feedback, grades and reports;
- :mod:`course_tools.publish`: the students' copy of the course and its site.

Installed with ``pip install -e tools`` (``make`` does it), with its own
dependencies (nbgrader, Dask, Jupyter Book, ...) in ``tools/pyproject.toml``.
"""

__version__ = "0.1.0"
