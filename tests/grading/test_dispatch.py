"""The worker's side of course grade: hidden inputs drawn per submission, the
scores decided from the sandbox's records (a function its cell never defined
explained by that cell), and the preflight that says what the host cannot limit."""

from __future__ import annotations

import pytest

from course_tools.grading import _dispatch
from course_tools.grading._cgroups import Support
from course_tools.grading._dispatch import Job, grade_job, score_records
from course_tools.grading.sandbox import Limits

HIDDEN = """
from course_tools.grading.spec import Call, Fail, Test, returned_values


def calls(rng):
    return [Call("echo", (rng.integers(0, 10**9, 3).tolist(),))]


def check(outcomes, calls):
    (value,) = returned_values(outcomes)
    if value != list(calls[0].args[0]):
        raise Fail("echo must return its input")


TESTS = {"test_echo": Test(calls, check)}
"""


def _job(source: str, seed: int) -> Job:
    return Job(
        student="s",
        assignment="hw",
        hidden_source=HIDDEN,
        hidden_name="<hidden tests>",
        fingerprint=f"fp-{hash(HIDDEN)}",
        cells=[{"id": "answer", "source": source}],
        seed=seed,
        limits=Limits(),
        points={"test_echo": 1.0},
    )


def test_hidden_inputs_are_drawn_per_submission_and_learning_them_is_useless():
    right = grade_job(_job("def echo(x):\n    return list(x)", 1))
    assert [p.passed for p in right.parts] == [True]
    # A student who makes the inputs show in feedback learns this seed's inputs...
    spy = grade_job(_job("def echo(x):\n    raise ValueError(repr(x))", 1))
    (part,) = spy.parts
    seen = part.hint.split("ValueError: ", 1)[1]
    # ... which answer that same seed, and no other.
    hardcoded = f"def echo(x):\n    return {seen}"
    assert grade_job(_job(hardcoded, 1)).parts[0].passed
    assert not grade_job(_job(hardcoded, 2)).parts[0].passed


def test_preflight_says_once_what_the_host_cannot_limit(monkeypatch):
    monkeypatch.setattr(_dispatch, "check_sandbox", lambda limits: None)
    monkeypatch.setattr(
        _dispatch,
        "host_support",
        lambda: Support(None, (), why="no cgroup file system"),
    )
    (warning,) = _dispatch.preflight(Limits())
    assert "total memory (with files in the sandbox's tmpfs)" in warning
    assert "number of processes" in warning and "CPU share" in warning
    monkeypatch.setattr(
        _dispatch, "host_support", lambda: Support("v1", ("memory", "pids", "cpu"))
    )
    assert _dispatch.preflight(Limits()) == []


def _one_part(source: str):
    """Grade one answer cell against a test that calls ``f(1)`` and wants 2."""
    from course_tools.grading.sandbox import run_sandboxed
    from course_tools.grading.spec import Call, Fail, Test, returned_values

    def check(outcomes):
        (value,) = returned_values(outcomes)
        if value != 2:
            raise Fail("f(1) must be 2")

    tests = {"test_f": Test(calls=lambda: [Call("f", (1,))], check=check)}
    calls = {"test_f": [Call("f", (1,))]}
    cells = [{"id": "answer_f", "source": source}]
    raw = run_sandboxed(cells, calls)
    (part,) = score_records(tests, calls, {"test_f": 3.0}, raw, cells)
    return part


@pytest.mark.parametrize(
    ("source", "said"),
    [
        (
            "def f(x)\n    return x + 1\n",
            "f was never defined: the cell that defines it (answer_f) stopped with "
            "SyntaxError: expected ':' (line 1: def f(x))",
        ),
        (
            "import math\n\ndef f(x):\n    return x + 1\n  return x\n",
            "(answer_f) stopped with IndentationError: unindent does not match any "
            "outer indentation level (line 5: return x)",
        ),
        (
            "raise RuntimeError('not yet')\ndef f(x):\n    return x + 1\n",
            "stopped with RuntimeError: not yet",
        ),
    ],
)
def test_a_function_its_cell_never_defined_is_explained_by_that_cell(source, said):
    part = _one_part(source)
    assert part.points == 0 and said in part.hint
    assert "NameError" not in part.hint


def test_a_function_nobody_wrote_is_still_a_name_error():
    part = _one_part("def g(x):\n    return x + 1\n")
    assert part.points == 0 and "NameError: name 'f' is not defined" in part.hint
    assert _one_part("def f(x):\n    return x + 1\n").points == 3.0
