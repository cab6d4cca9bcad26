"""How a homework's hidden tests are written.

Each homework folder in ``solutions/`` holds, beside its nbgrader notebook, a
module ``hidden_tests.py`` that is never released. It defines ``TESTS``, a
dict from the grade id of every autograder test cell of the notebook to a
:class:`Test`:

- :attr:`Test.calls` builds the inputs: a list of :class:`Call` (call one of
  the student's functions with these arguments) or :class:`Read` (read one of
  the student's variables). A ``calls`` that takes one argument receives a
  :class:`numpy.random.Generator` seeded for this submission: random hidden
  inputs are drawn from it, so that what one submission learns about them is
  no use to another;
- :attr:`Test.check` receives one :class:`Outcome` per call, holding the
  returned value as plain data (see :mod:`course_tools.grading.codec`) or the
  error it raised, and raises :class:`Fail` with a hint for a recognised
  mistake, or any other exception for an unrecognised one. A ``check`` that
  takes two arguments also receives the list of calls that were made, to
  compute its reference answers from the very inputs the student saw.

A test cell earns all its points if ``check`` returns, and none otherwise.

``course grade`` runs the student's notebook in a sandbox, makes the calls
there, and runs ``check`` in the grader's own process, where no student code
ever ran. Inside the notebook, the hidden region of each test cell calls
:func:`run_hidden_tests`, which makes the same calls and checks in the
kernel: this is how stock ``nbgrader autograde`` grades the same notebook,
with the same scores for honest work (but none of the protection).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import importlib.util
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from course_tools.grading import codec
from course_tools.grading._text import first_line, printable

__all__ = [
    "Call",
    "Fail",
    "Outcome",
    "Read",
    "Test",
    "inputs_rng",
    "load_hidden_tests",
    "returned_values",
    "run_hidden_tests",
    "submission_seed",
]

HIDDEN_TESTS_FILE = "hidden_tests.py"

#: The seed of the hidden inputs when a notebook is graded in its own kernel
#: (stock ``nbgrader autograde``), where no course secret is at hand.
KERNEL_SEED = 0

#: Longest error message (its first line only) that reaches feedback.
MAX_ERROR = 200
#: Longest hint that reaches feedback.
MAX_HINT = 400


@dataclass(frozen=True)
class Call:
    """Call the student's function ``function`` with ``args`` and ``kwargs``.

    Every call gets its own fresh copy of the arguments, so a function that
    modifies its input cannot affect another call.
    """

    function: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    observe_args: bool = False
    """Also return the positional arguments as they are after the call, to
    check that the function did not modify its input."""


@dataclass(frozen=True)
class Read:
    """Read the value of the student's global variable ``name``."""

    name: str


@dataclass(frozen=True)
class Outcome:
    """What one :class:`Call` or :class:`Read` produced.

    Attributes
    ----------
    value : object
        The returned value, decoded from plain data (numbers, strings, lists,
        dicts, numpy arrays, pandas objects); None if there was an error.
    error : str or None
        ``"ExceptionName: message"`` if the student's code raised, the value
        was not plain data, the name was undefined, or time ran out.
    args : list or None
        For a :class:`Call` with ``observe_args``, its positional arguments
        after the call, decoded like ``value``.
    """

    value: Any = None
    error: str | None = None
    args: list[Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Fail(AssertionError):
    """Raised by a check for a recognised mistake; the message is the hint."""


def returned_values(outcomes: list[Outcome]) -> list[Any]:
    """The values of ``outcomes``, or :class:`Fail` if any call raised.

    The usual first line of a check: a test cell earns nothing when the
    student's function raised (or timed out, or returned something that is not
    plain data), and the hint quotes the error.

    Parameters
    ----------
    outcomes : list of Outcome
        What each call of the test produced, in order.

    Returns
    -------
    list
        ``outcome.value`` of each outcome, in order.

    Raises
    ------
    Fail
        If an outcome holds an error; the message is
        ``"Your function raised an error: <error>"`` for the first one.

    Examples
    --------
    >>> returned_values([Outcome(value=1), Outcome(value=[2, 3])])
    [1, [2, 3]]
    >>> returned_values([Outcome(value=1), Outcome(error="ValueError: x must be positive")])
    Traceback (most recent call last):
    ...
    course_tools.grading.spec.Fail: Your function raised an error: ValueError: x must be positive
    """
    for outcome in outcomes:
        if not outcome.ok:
            raise Fail(f"Your function raised an error: {outcome.error}")
    return [o.value for o in outcomes]


def _positional(func: Callable[..., Any]) -> int:
    """How many positional parameters without a default ``func`` takes."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return 0
    kinds = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    return sum(p.kind in kinds and p.default is p.empty for p in params)


@dataclass(frozen=True)
class Test:
    """The hidden test of one autograder test cell.

    Attributes
    ----------
    calls : callable
        ``calls()`` or ``calls(rng)``: the :class:`Call` and :class:`Read` to
        make. With ``rng``, random inputs come from it (a generator seeded per
        submission).
    check : callable
        ``check(outcomes)`` or ``check(outcomes, calls)``: raises
        :class:`Fail` (with a hint) or any other exception if the outcomes are
        wrong.
    """

    calls: Callable[..., list[Call | Read]]
    check: Callable[..., None]

    @property
    def randomised(self) -> bool:
        """Whether the inputs are drawn per submission (``calls`` takes ``rng``)."""
        return _positional(self.calls) >= 1

    def make_calls(self, rng: np.random.Generator) -> list[Call | Read]:
        """The calls to make, drawn from ``rng`` if the test is randomised."""
        return self.calls(rng) if self.randomised else self.calls()

    def run_check(self, outcomes: list[Outcome], calls: list[Call | Read]) -> None:
        """Run :attr:`check` on ``outcomes`` (and ``calls`` if it takes them)."""
        if _positional(self.check) >= 2:
            self.check(outcomes, calls)
        else:
            self.check(outcomes)


def submission_seed(secret: bytes, *parts: str) -> int:
    """A 128-bit seed for one submission's hidden inputs.

    An HMAC-SHA256 of ``parts`` (e.g. assignment, student and the hash of the
    submitted notebook) keyed with the course's secret: a student cannot
    predict it, and another submission gets another one.

    Examples
    --------
    >>> submission_seed(b"secret", "hw01", "ada", "ab12") == submission_seed(
    ...     b"secret", "hw01", "ada", "ab12")
    True
    >>> submission_seed(b"secret", "hw01", "ada", "ab12") == submission_seed(
    ...     b"secret", "hw01", "bo", "ab12")
    False
    """
    message = "\x00".join(parts).encode("utf-8", "surrogatepass")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:16], "big")


def inputs_rng(seed: int, grade_id: str) -> np.random.Generator:
    """The generator of one test's inputs: the submission's seed and the test's id.

    Each test gets a stream of its own, so that its inputs do not depend on
    which other tests there are.
    """
    key = int.from_bytes(hashlib.sha256(grade_id.encode("utf-8")).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


def load_hidden_tests(path: str | os.PathLike[str]) -> dict[str, Test]:
    """Import a ``hidden_tests.py`` file and return its ``TESTS``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    TypeError
        If it does not define ``TESTS`` as a dict of :class:`Test`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"hidden tests must be in {path}; got no such file. Every homework "
            f"folder in solutions/ needs a {HIDDEN_TESTS_FILE}."
        )
    name = f"_hidden_tests_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module: ModuleType = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    tests = getattr(module, "TESTS", None)
    if not isinstance(tests, dict) or not all(
        isinstance(k, str) and isinstance(v, Test) for k, v in tests.items()
    ):
        raise TypeError(
            f"{path} must define TESTS as a dict of grade id -> Test; got {type(tests)}"
        )
    return tests


def perform(namespace: Mapping[str, Any], call: Call | Read) -> tuple[Any, Any]:
    """Make ``call`` against ``namespace``; returns (value, arguments after it)."""
    if isinstance(call, Read):
        if call.name not in namespace:
            raise NameError(f"name '{call.name}' is not defined")
        return namespace[call.name], None
    func = namespace.get(call.function)
    if func is None:
        raise NameError(f"name '{call.function}' is not defined")
    if not callable(func):
        raise TypeError(
            f"'{call.function}' must be a function; got {type(func).__name__}"
        )
    args = copy.deepcopy(call.args)
    value = func(*args, **copy.deepcopy(dict(call.kwargs)))
    return value, (list(args) if call.observe_args else None)


def describe(error: BaseException) -> str:
    """``"ExceptionName: message"``: the first line only, at most ``MAX_ERROR`` characters.

    Both the name and the message are the student's to choose, so only one
    capped, printable line of them ever reaches feedback.

    Examples
    --------
    >>> describe(ValueError("x must be positive\\nand more"))
    'ValueError: x must be positive'
    """
    name = printable(type(error).__name__, 60)
    try:
        message = first_line(str(error), MAX_ERROR)
    except BaseException:  # a hostile __str__
        message = ""
    return first_line(f"{name}: {message}" if message else name, MAX_ERROR)


def outcome_record(
    namespace: Mapping[str, Any],
    call: Call | Read,
    buffers: list[bytes] | None = None,
) -> dict[str, Any]:
    """Make ``call`` and encode what happened as a JSON-ready record.

    With ``buffers``, arrays' bytes are appended there instead of written
    into the record (see :func:`course_tools.grading.codec.encode`).
    """
    mark = None if buffers is None else len(buffers)
    try:
        value, args = perform(namespace, call)
        record = {"value": codec.encode(value, buffers=buffers)}
        if args is not None:
            record["args"] = codec.encode(args, buffers=buffers)
        return record
    except Exception as error:
        if mark is not None:
            del buffers[mark:]  # type: ignore[index]
        return {"error": describe(error)}


def outcome_from_record(record: Any, buffers: Sequence[bytes] | None = None) -> Outcome:
    """Decode a record made by :func:`outcome_record` (untrusted input)."""
    if not isinstance(record, dict):
        return Outcome(error="the grader received no result for this call")
    if "error" in record:
        return Outcome(error=first_line(record["error"], MAX_ERROR) or "error")
    try:
        args = (
            codec.decode(record["args"], buffers=buffers) if "args" in record else None
        )
        return Outcome(
            value=codec.decode(record.get("value"), buffers=buffers), args=args
        )
    except (Exception, RecursionError) as error:
        return Outcome(error=f"the result could not be read: {first_line(error, 120)}")


def verdict(
    test: Test, outcomes: list[Outcome], calls: list[Call | Read] | None = None
) -> tuple[bool, str | None]:
    """Run the test's check; returns (passed, hint for a recognised mistake).

    The hint is one printable line of at most ``MAX_HINT`` characters.
    """
    try:
        test.run_check(outcomes, calls if calls is not None else [])
    except Fail as failure:
        return False, first_line(failure, MAX_HINT) or None
    except Exception:
        return False, None
    return True, None


def _course_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").is_file() and (
            folder / "solutions"
        ).is_dir():
            return folder
    raise FileNotFoundError(
        f"no course directory (with nbgrader_config.py and solutions/) above {start}"
    )


def run_hidden_tests(grade_id: str, namespace: Mapping[str, Any]) -> None:
    """Run the hidden test ``grade_id`` inside the notebook's own kernel.

    This is what the hidden region of a test cell calls when the notebook is
    graded by stock ``nbgrader autograde`` (which runs it in
    ``autograded/<student>/<assignment>/``): it finds the course's
    ``solutions/<assignment>/hidden_tests.py``, makes the test's calls on the
    student's functions, passes the results through the same plain-data
    encoding as ``course grade`` and raises ``AssertionError`` if the check
    fails. Student code runs in the same process, so this mode offers no
    protection against tampering; ``course grade`` does.
    """
    here = Path.cwd().resolve()
    root = _course_root(here)
    assignment = here.name
    tests = load_hidden_tests(root / "solutions" / assignment / HIDDEN_TESTS_FILE)
    test = tests[grade_id]
    calls = test.make_calls(inputs_rng(KERNEL_SEED, grade_id))
    outcomes = [outcome_from_record(outcome_record(namespace, c)) for c in calls]
    passed, hint = verdict(test, outcomes, calls)
    if not passed:
        errors = [o.error for o in outcomes if o.error]
        detail = hint or (errors[0] if errors else "a hidden test failed")
        raise AssertionError(detail)
