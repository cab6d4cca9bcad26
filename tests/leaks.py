"""Find solution and hidden-test text where students can reach it.

The scanner lives in :mod:`course_tools.publish`, so that ``course publish``
can use it in a published copy without ``tests/``; this module keeps the
names the tests import.
"""

from __future__ import annotations

from course_tools.publish import (
    MARKERS,
    MIN_LENGTH,
    find_leaks,
    normalise,
    readable_files,
    secret_lines,
)

__all__ = [
    "MARKERS",
    "MIN_LENGTH",
    "find_leaks",
    "normalise",
    "readable_files",
    "secret_lines",
]
