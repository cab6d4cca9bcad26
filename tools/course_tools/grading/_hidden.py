"""The hidden tests as a worker loads them: imported once per process and grader."""

from __future__ import annotations

import threading
import types

from course_tools.grading.spec import Test

_TESTS: dict[str, dict[str, Test]] = {}
_TESTS_LOCK = threading.Lock()


def hidden_tests(fingerprint: str, source: str, name: str) -> dict[str, Test]:
    """The hidden tests in ``source``, imported once per process and fingerprint.

    ``source`` is the text of the assignment's hidden tests file, ``name``
    its path (for tracebacks) and ``fingerprint`` the grader's, which
    changes whenever the released notebook or the hidden tests do.

    Raises
    ------
    TypeError
        If ``source`` does not define ``TESTS`` as a dict of :class:`Test`.
    """
    with _TESTS_LOCK:
        return _load_hidden_tests(fingerprint, source, name)


def _load_hidden_tests(fingerprint: str, source: str, name: str) -> dict[str, Test]:
    tests = _TESTS.get(fingerprint)
    if tests is None:
        module = types.ModuleType(f"_hidden_tests_{fingerprint[:16]}")
        module.__file__ = name
        exec(compile(source, name, "exec"), module.__dict__)
        tests = getattr(module, "TESTS", None)
        if not isinstance(tests, dict) or not all(
            isinstance(k, str) and isinstance(v, Test) for k, v in tests.items()
        ):
            raise TypeError(f"{name} must define TESTS as a dict of Test")
        if len(_TESTS) >= 16:  # a term's homework, at most: keep memory flat
            _TESTS.pop(next(iter(_TESTS)))
        _TESTS[fingerprint] = tests
    return tests
