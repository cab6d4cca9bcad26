"""Grade a whole class: sandboxed runs in parallel, scores decided outside.

:func:`grade_class` is what ``course grade`` runs. For every submission it
builds the list of code cells to run (the student's answers, with locked cells
restored from the released notebook and test cells left out) and a seed for
the submission's random hidden inputs (from the course's secret and the
submission), and sends both to a Dask worker. The worker draws the hidden
tests' calls, runs the notebook with
:func:`~course_tools.grading.sandbox.run_sandboxed`, decodes the plain-data
outcomes and runs the hidden tests' checks in its own process, where no
student code ever ran, and returns only the scores and hints. This process
records them in nbgrader's gradebook, writes the graded notebook to
``autograded/`` (with every student-written markdown answer made inert, since
formgrader renders it on the instructor's Jupyter) and a small ledger that
lets an interrupted run resume where it stopped.

Whatever goes wrong while handling one submission (an unreadable notebook,
a crash while scoring, a failed write) becomes that student's error; every
other student is still graded, recorded and given feedback, and a rerun
continues with those not yet recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import stat
import sys
import threading
import types
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_tools.grading._text import (
    first_line,
    inert_markdown,
    printable,
    scrub_notebook,
)
from course_tools.grading.late import Lateness, LatePolicy, parse_due
from course_tools.grading.match import (
    Matched,
    defined_names,
    match_submission,
)
from course_tools.grading.match import cell_meta as _meta
from course_tools.grading.match import cell_source as _source
from course_tools.grading.match import grade_id as _grade_id
from course_tools.grading.sandbox import (
    Limits,
    SandboxError,
    SandboxResult,
    bwrap_path,
    check_sandbox,
    close_warm_sandboxes,
    host_support,
    run_sandboxed,
    start_warm_sandbox,
)
from course_tools.grading.scan import scan_source
from course_tools.grading.spec import (
    HIDDEN_TESTS_FILE,
    Test,
    inputs_rng,
    load_hidden_tests,
    outcome_from_record,
    submission_seed,
    verdict,
)

__all__ = [
    "Assignment",
    "Course",
    "GradeSummary",
    "PartResult",
    "StudentError",
    "StudentResult",
    "grade_class",
]

LEDGER = ".course-grade.json"
SECRET_FILE = ".course-secret"
#: Largest submitted notebook read (bytes); collect refuses larger ones too.
MAX_NOTEBOOK_BYTES = 50 * 2**20
#: Largest ledger read back (bytes).
MAX_LEDGER_BYTES = 4 * 2**20
#: Most cells a submitted notebook may have (a homework has a few dozen).
MAX_CELLS = 5000


class CourseError(RuntimeError):
    """The course or assignment is not set up for grading; says what to do."""


# --------------------------------------------------------------------------
# Files that may be hostile
# --------------------------------------------------------------------------


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file, never following a link nor opening a pipe.

    Raises
    ------
    OSError
        If ``path`` is a symbolic link (``ELOOP``), not a regular file, or
        larger than ``limit`` bytes.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{os.fspath(path)} is not a regular file")
        if info.st_size > limit:
            raise OSError(
                f"{os.fspath(path)} is {info.st_size:,} bytes, over the limit of {limit:,}"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(f"{os.fspath(path)} is over the limit of {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_notebook(path: str | os.PathLike[str]) -> NotebookNode:
    """A submitted notebook, read as hostile bytes.

    At most ``MAX_NOTEBOOK_BYTES``, never through a link; lone surrogates
    are replaced; the result is a valid nbformat 4 notebook or an error.

    Raises
    ------
    ValueError
        If the notebook cannot be read or is not valid; the message says why.
    """
    try:
        data = read_regular(path, MAX_NOTEBOOK_BYTES)
    except OSError as error:
        raise ValueError(f"cannot be read ({first_line(error, 200)})") from None
    return parse_notebook(data)


def parse_notebook(data: bytes) -> NotebookNode:
    """The notebook in ``data`` (a submission's bytes), as :func:`read_notebook` reads it.

    Raises
    ------
    ValueError
        If ``data`` is not a valid notebook; the message says why.
    """
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"is not valid JSON ({first_line(error, 120)})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise ValueError("is not an nbformat 4 notebook")
    cells = raw.get("cells")
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        raise ValueError(
            f"has {len(cells):,} cells, more than the {MAX_CELLS:,} allowed"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing cell ids are repaired
            # Through nbformat's reader, as nbgrader reads it (multi-line
            # sources joined, and so on), once the surrogates are gone.
            nb = nbformat.reads(json.dumps(scrub_notebook(raw)), as_version=4)
            nbformat.validate(nb)
    except (Exception, RecursionError) as error:
        raise ValueError(
            f"is not a valid notebook ({type(error).__name__}: {first_line(error, 160)})"
        ) from None
    return nb


# --------------------------------------------------------------------------
# The course directory
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Course:
    """Folders and gradebook of an nbgrader course, read from nbgrader_config.py."""

    root: Path
    course_id: str
    db_url: str
    source: str = "solutions"
    release: str = "exercises"
    submitted: str = "submitted"
    autograded: str = "autograded"
    feedback: str = "feedback"
    #: Due dates (UTC) by assignment id, from ``c.Term.due_dates``.
    due_dates: dict[str, dt.datetime] = field(default_factory=dict)
    #: What late work costs, from ``c.Term.late_policy`` and ``c.Term.grace_minutes``.
    late_policy: LatePolicy = field(default_factory=LatePolicy)
    #: Where formgrader is served, for the report's links (``c.Term.formgrader_url``).
    formgrader_url: str = "http://localhost:8888/formgrader"
    #: The zone of times written without one (``c.Term.timezone``).
    timezone: str = "UTC"
    #: Per LMS, homework id to the LMS's column name (``c.Term.lms_columns``).
    lms_columns: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, root: str | os.PathLike[str] = ".", db_url: str | None = None
    ) -> Course:
        """Read ``nbgrader_config.py`` in ``root``; ``db_url`` overrides its gradebook."""
        from traitlets.config.loader import PyFileConfigLoader

        root = Path(root).resolve()
        if not (root / "nbgrader_config.py").is_file():
            raise CourseError(
                f"{root} must be a course directory with an nbgrader_config.py; got "
                "none. Run the command from the repository root."
            )
        try:
            config = PyFileConfigLoader(
                "nbgrader_config.py", path=str(root)
            ).load_config()
        except Exception as error:
            raise CourseError(
                f"nbgrader_config.py must run without error; got "
                f"{type(error).__name__}: {first_line(error, 200)}: fix that line"
            ) from None
        cd = config.get("CourseDirectory", {})
        term = config.get("Term", {})
        url = db_url or cd.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
        try:
            zone = str(term.get("timezone", "UTC"))
            due = parse_due(term.get("due_dates", {}), zone)
            policy = LatePolicy.parse(
                term.get("late_policy", "none"), term.get("grace_minutes", 0)
            )
            columns = term.get("lms_columns", {})
            if not isinstance(columns, dict) or not all(
                isinstance(v, dict) for v in columns.values()
            ):
                raise ValueError(
                    "c.Term.lms_columns must be like {'canvas': {'hw01': 'Homework 1 "
                    f"(48213)'}}; got {type(columns).__name__}"
                )
        except ValueError as error:
            raise CourseError(f"nbgrader_config.py: {first_line(error, 300)}") from None
        return cls(
            root=root,
            course_id=cd.get("course_id", "") or "default_course",
            db_url=url,
            source=cd.get("source_directory", "source"),
            release=cd.get("release_directory", "release"),
            submitted=cd.get("submitted_directory", "submitted"),
            autograded=cd.get("autograded_directory", "autograded"),
            feedback=cd.get("feedback_directory", "feedback"),
            due_dates=due,
            late_policy=policy,
            formgrader_url=str(
                term.get("formgrader_url", "http://localhost:8888/formgrader")
            ).rstrip("/"),
            timezone=zone,
            lms_columns={
                str(k): {str(a): str(n) for a, n in v.items()}
                for k, v in columns.items()
            },
        )

    def path(self, step: str, *parts: str) -> Path:
        return (
            self.root / getattr(self, step) / Path(*parts)
            if parts
            else self.root / getattr(self, step)
        )

    def secret(self) -> bytes:
        """The course's secret, from which each submission's seed is derived.

        Made on first use in ``.course-secret`` (readable by its owner only,
        git-ignored, never inside a sandbox); keep it with the gradebook's
        backups, since a regrade reuses the seed a ledger recorded either way.
        """
        path = self.root / SECRET_FILE
        try:
            text = read_regular(path, 4096).decode("ascii").strip()
        except FileNotFoundError:
            text = secrets.token_hex(32)
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600
            )
            with os.fdopen(fd, "w") as handle:
                handle.write(text + "\n")
        except (OSError, UnicodeDecodeError) as error:
            raise CourseError(
                f"{path} must be the course's secret (64 hex digits); got an "
                f"unreadable file ({first_line(error, 120)}): restore it from a backup"
            ) from None
        if not re.fullmatch(r"[0-9a-f]{32,128}", text):
            raise CourseError(
                f"{path} must hold the course's secret (hex digits); got something "
                "else: restore it from a backup, or delete it to make a new one"
            )
        return bytes.fromhex(text)

    @contextlib.contextmanager
    def gradebook(self) -> Iterator[Any]:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, self.course_id) as gb:
            yield gb


# --------------------------------------------------------------------------
# One assignment: its released notebook and its hidden tests
# --------------------------------------------------------------------------


def _is_test(cell: NotebookNode) -> bool:
    m = _meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.cell_type == "code"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Modules every warm sandbox preloads, whatever the notebook imports.
BASE_PRELOAD = ("numpy", "pandas")


def imported_modules(notebook: NotebookNode) -> tuple[str, ...]:
    """The modules the code cells of a (released, trusted) notebook import.

    What a warm sandbox's zygote imports once, so that no submission pays for
    it; names that do not import there are skipped. A dataset loader imported
    from ``course_lib.datasets`` is listed as ``course_lib.datasets:load_x``:
    the zygote parses its data once, too.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "import numpy as np\\nfrom sklearn.linear_model import LogisticRegression\\n"
    ...     "from course_lib.datasets import load_compas")])
    >>> imported_modules(nb)
    ('numpy', 'pandas', 'sklearn.linear_model', 'course_lib.datasets', 'course_lib.datasets:load_compas')
    """
    import ast

    found = list(BASE_PRELOAD)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                if node.module == "course_lib.datasets":
                    found += [f"{node.module}:{alias.name}" for alias in node.names]
    return tuple(dict.fromkeys(found))


class Assignment:
    """The released notebook and hidden tests of one assignment."""

    def __init__(self, course: Course, assignment_id: str):
        self.course = course
        self.id = assignment_id
        source_dir = course.path("source", assignment_id)
        notebooks = sorted(source_dir.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise CourseError(
                f"{source_dir} must hold exactly one notebook; got {len(notebooks)}. "
                "Check the assignment id."
            )
        self.notebook = notebooks[0].name
        self.notebook_id = notebooks[0].stem
        released = course.path("release", assignment_id, self.notebook)
        if not released.is_file():
            raise CourseError(
                f"{released} must exist; got no such file. Release the assignment "
                f"first: `course release {assignment_id}`."
            )
        release_bytes = released.read_bytes()
        self.release = nbformat.reads(release_bytes.decode("utf-8"), as_version=4)
        hidden = source_dir / HIDDEN_TESTS_FILE
        self.hidden_path = hidden
        self.tests: dict[str, Test] = load_hidden_tests(hidden)
        self.hidden_source = hidden.read_text(encoding="utf-8")
        self.points = {
            _meta(c)["grade_id"]: float(_meta(c)["points"])
            for c in self.release.cells
            if _is_test(c)
        }
        missing = sorted(set(self.points) - set(self.tests))
        extra = sorted(set(self.tests) - set(self.points))
        if missing or extra:
            raise CourseError(
                f"{hidden} must define a Test for each test cell of {self.notebook}; "
                f"got no Test for {missing} and Tests for unknown cells {extra}."
            )
        self.fingerprint = _sha256(release_bytes + hidden.read_bytes())
        self.preload = imported_modules(self.release)
        #: Grade id of each code answer -> the names its released stub defines.
        self.stub_names = {
            _meta(c)["grade_id"]: defined_names(c.source)
            for c in self.release.cells
            if c.cell_type == "code" and _meta(c).get("solution") and _grade_id(c)
        }

    # ---------------------------------------------------------------- cells
    def to_scan(self, cells: list[dict[str, str]]) -> list[dict[str, str]]:
        """The cells of ``cells`` (from :meth:`cells_to_run`) that the student wrote.

        A cell whose code is a released code cell's, such as the setup cell
        (which installs the library with pip and looks at ``sys.modules``),
        is the instructor's code: scanning it for tricks would flag every
        honest student.
        """
        released = {c.source for c in self.release.cells if c.cell_type == "code"}
        return [c for c in cells if c["source"] not in released]

    def match(self, submitted: NotebookNode) -> Matched:
        """Where ``submitted`` answers each cell (see :mod:`course_tools.grading.match`)."""
        return match_submission(self.release, submitted)

    def cells_to_run(
        self, submitted: NotebookNode, matched: Matched | None = None
    ) -> list[dict[str, str]]:
        """The code to run for ``submitted``, in notebook order.

        Locked cells come from the released notebook (edits are undone, deleted
        ones restored); answer cells come from the student, found by grade id
        or, where the metadata was lost, by the names they define (a missing
        answer is the released stub, unless another answer's cell defines its
        names); test cells are not run; cells the student added run where
        they stand.
        """
        matched = matched or self.match(submitted)
        run: list[dict[str, str]] = []

        def emit_added(index: int) -> None:
            where = (
                "start"
                if index < 0
                else (_grade_id(self.release.cells[index]) or f"cell {index + 1}")
            )
            for i, cell in enumerate(matched.added.get(index, [])):
                run.append(
                    {"id": f"added after {where} #{i + 1}", "source": _source(cell)}
                )

        emit_added(-1)
        for index, cell in enumerate(self.release.cells):
            gid = _grade_id(cell)
            if cell.cell_type == "code" and not _is_test(cell):
                meta = _meta(cell)
                mine = matched.answers.get(gid) if gid else None
                if meta.get("solution") and gid in matched.covered:
                    pass  # its names are defined in another answer's cell
                elif (
                    meta.get("solution")
                    and mine is not None
                    and mine.get("cell_type") == "code"
                ):
                    run.append({"id": str(gid), "source": _source(mine)})
                else:
                    run.append({"id": str(gid), "source": cell.source})
            emit_added(index)
        return run

    # ---------------------------------------------------------------- jobs
    def job(
        self, student: str, cells: list[dict[str, str]], seed: int, limits: Limits
    ) -> Job:
        """What a worker needs to grade one submission."""
        return Job(
            student=student,
            assignment=self.id,
            hidden_source=self.hidden_source,
            hidden_name=str(self.hidden_path),
            fingerprint=self.fingerprint,
            cells=cells,
            seed=seed,
            limits=limits,
            points=dict(self.points),
            preload=self.preload,
        )


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass
class PartResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    hint: str | None = None


@dataclass
class StudentResult:
    student: str
    parts: list[PartResult]
    cell_errors: dict[str, str | None] = field(default_factory=dict)
    skipped_cells: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)
    seed: str = ""  # hex of the seed of the hidden inputs
    notes: list[str] = field(default_factory=list)  # for the student and instructor

    @property
    def score(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass
class StudentError:
    """A submission that could not be graded, and what to do about it."""

    student: str
    file: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.student}: {self.file}: {self.message}", 600)


@dataclass
class GradeSummary:
    graded: list[StudentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded, unchanged
    errors: list[StudentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # said once, about the host


# --------------------------------------------------------------------------
# The worker's side: draw the inputs, run the sandbox, check the outcomes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One submission to grade, as sent to a worker (no student code runs there)."""

    student: str
    assignment: str
    hidden_source: str
    hidden_name: str
    fingerprint: str
    cells: list[dict[str, str]]
    seed: int
    limits: Limits
    points: dict[str, float]
    preload: tuple[str, ...] | None = None  # None: a cold sandbox of its own


@dataclass
class JobResult:
    """What a worker sends back: scores and hints, never student bytes."""

    parts: list[PartResult]
    cell_errors: dict[str, str | None]
    skipped_cells: list[str]
    error: str | None
    seconds: float
    infrastructure: str | None = None  # the grader failed, not the student


_TESTS: dict[str, dict[str, Test]] = {}
_TESTS_LOCK = threading.Lock()


def _hidden_tests(job: Job) -> dict[str, Test]:
    """The job's hidden tests, imported once per process and fingerprint."""
    with _TESTS_LOCK:
        return _load_hidden_tests(job)


def _load_hidden_tests(job: Job) -> dict[str, Test]:
    tests = _TESTS.get(job.fingerprint)
    if tests is None:
        module = types.ModuleType(f"_hidden_tests_{job.fingerprint[:16]}")
        module.__file__ = job.hidden_name
        exec(compile(job.hidden_source, job.hidden_name, "exec"), module.__dict__)
        tests = getattr(module, "TESTS", None)
        if not isinstance(tests, dict) or not all(
            isinstance(k, str) and isinstance(v, Test) for k, v in tests.items()
        ):
            raise TypeError(f"{job.hidden_name} must define TESTS as a dict of Test")
        if len(_TESTS) >= 16:  # a term's homework, at most: keep memory flat
            _TESTS.pop(next(iter(_TESTS)))
        _TESTS[job.fingerprint] = tests
    return tests


_UNDEFINED = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


def _never_defined(
    errors: list[str],
    cells: list[dict[str, str]],
    cell_errors: dict[str, str | None],
) -> str | None:
    """Why a name the tests called was never defined: the error of the cell that defines it.

    A syntax error (or any error) in the cell that defines ``f`` makes every
    call of ``f`` a NameError; the student should hear about the cell, and
    the line, rather than about a name they did write.
    """
    for error in errors:
        match = _UNDEFINED.match(error)
        if not match:
            continue
        name = match.group(1)
        broken = [
            (cell["id"], cell_errors[cell["id"]])
            for cell in cells
            if cell_errors.get(cell["id"])
            and name in defined_names(cell.get("source", ""))
        ]
        # A syntax error first: then nothing of the cell ran at all.
        broken.sort(
            key=lambda c: not str(c[1]).startswith(("SyntaxError", "Indentation"))
        )
        if broken:
            cell_id, cell_error = broken[0]
            return (
                f"{name} was never defined: the cell that defines it "
                f"({cell_id}) stopped with {cell_error}"
            )
    return None


def score_records(
    tests: dict[str, Test],
    calls: dict[str, list[Any]],
    points: dict[str, float],
    result: SandboxResult,
    cells: list[dict[str, str]] | None = None,
) -> list[PartResult]:
    """Decide every test cell's score from the sandbox's records.

    ``cells`` are the cells that ran: a call of a function whose cell failed
    (a syntax error, say) is explained by that cell's error.
    """
    parts = []
    for gid, test in tests.items():
        n_calls = len(calls[gid])
        record = result.records.get(gid)
        if (
            isinstance(record, dict)
            and isinstance(record.get("outcomes"), list)
            and len(record["outcomes"]) == n_calls
        ):
            buffers = record.get("buffers")
            outcomes = [outcome_from_record(r, buffers) for r in record["outcomes"]]
        else:
            why = record.get("error") if isinstance(record, dict) else None
            why = first_line(why or result.error or "no result", 300)
            outcomes = [outcome_from_record({"error": why})] * n_calls
        passed, hint = verdict(test, outcomes, calls[gid])
        errors = sorted({o.error for o in outcomes if o.error})
        if not passed and errors:
            # A function its cell never defined: say which cell failed, and how.
            why = _never_defined(errors, cells or [], result.cell_errors)
            if why is not None:
                hint = why
            elif hint is None:
                hint = f"Your code raised an error on a hidden test: {errors[0]}"
        parts.append(
            PartResult(
                grade_id=gid,
                points=points[gid] if passed else 0.0,
                max_points=points[gid],
                passed=passed,
                hint=None if hint is None else first_line(hint, 400),
            )
        )
    return parts


def grade_job(job: Job) -> JobResult:
    """Grade one submission: what a worker runs. Never raises."""
    try:
        tests = _hidden_tests(job)
        calls = {
            gid: test.make_calls(inputs_rng(job.seed, gid))
            for gid, test in tests.items()
        }
    except Exception as error:
        return JobResult(
            [], {}, [], None, 0.0, f"the hidden tests failed to load: {error}"
        )
    try:
        raw = run_sandboxed(job.cells, calls, job.limits, preload=job.preload)
    except SandboxError as error:
        return JobResult([], {}, [], None, 0.0, str(error))
    except Exception as error:
        return JobResult([], {}, [], None, 0.0, f"{type(error).__name__}: {error}")
    try:
        parts = score_records(tests, calls, job.points, raw, job.cells)
    except (Exception, RecursionError) as error:
        # A crafted result that broke scoring: that submission's own error.
        parts = [
            PartResult(gid, 0.0, pts, False, "the result could not be scored")
            for gid, pts in job.points.items()
        ]
        raw.error = f"the results could not be scored ({type(error).__name__})"
    return JobResult(
        parts=parts,
        cell_errors={
            printable(k, 120): (None if v is None else first_line(v, 300))
            for k, v in raw.cell_errors.items()
        },
        skipped_cells=[printable(x, 200) for x in raw.skipped_cells],
        error=None if raw.error is None else first_line(raw.error, 300),
        seconds=raw.seconds,
    )


# --------------------------------------------------------------------------
# Finding submissions
# --------------------------------------------------------------------------


def find_submissions(
    course: Course, assignment: Assignment, students: Iterable[str] | None = None
) -> tuple[dict[str, Path], list[StudentError]]:
    """Every student's notebook for ``assignment``, and per-student problems."""
    base = course.path("submitted")
    found: dict[str, Path] = {}
    errors: list[StudentError] = []
    wanted = (
        sorted(students)
        if students
        else sorted(
            p.name
            for p in base.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
        )
        if base.is_dir()
        else []
    )
    for student in wanted:
        folder = base / student / assignment.id
        expected = folder / assignment.notebook
        where = f"{course.submitted}/{student}/{assignment.id}/"
        if not folder.is_dir():
            if students:
                errors.append(
                    StudentError(
                        student,
                        where,
                        "no submission folder; collect the submission first",
                    )
                )
            continue
        notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
        if not expected.is_file() or expected.is_symlink():
            if len(notebooks) == 1:
                msg = (
                    f"the notebook is named {notebooks[0].name}, not {assignment.notebook}; "
                    f"rename it to {assignment.notebook} and grade again"
                )
            elif notebooks:
                msg = (
                    f"several notebooks ({', '.join(p.name for p in notebooks)}) and none named "
                    f"{assignment.notebook}; keep the one to grade as {assignment.notebook}"
                )
            else:
                msg = f"no notebook; expected {assignment.notebook} (ask the student to resubmit)"
            errors.append(StudentError(student, where, msg))
            continue
        if len(notebooks) > 1:
            others = ", ".join(p.name for p in notebooks if p != expected)
            errors.append(
                StudentError(
                    student,
                    where + assignment.notebook,
                    f"duplicate submission: also found {others}; keep one notebook "
                    "in the folder and grade again",
                )
            )
            continue
        found[student] = expected
    return found, errors


# --------------------------------------------------------------------------
# Recording results
# --------------------------------------------------------------------------


def _timestamp(folder: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        text = read_regular(folder / "timestamp.txt", 4096).decode("utf-8").strip()
        return parse_utc(text)
    except Exception:
        return None


def _graded_notebook(
    assignment: Assignment, submitted: NotebookNode, result: StudentResult
) -> NotebookNode:
    """The released notebook with the student's answers and the test verdicts.

    A markdown answer is shown as a text block, never rendered: formgrader
    displays this notebook on the instructor's Jupyter server, where a
    student's HTML or script would run with the instructor's rights.
    """
    matched = assignment.match(submitted)
    by_id = matched.answers
    parts = {p.grade_id: p for p in result.parts}
    cells = []
    for cell in assignment.release.cells:
        cell = nbformat.from_dict(json.loads(json.dumps(cell)))
        meta = _meta(cell)
        gid = _grade_id(cell)
        mine = by_id.get(gid) if gid else None
        if (
            meta.get("solution")
            and mine is not None
            and mine.get("cell_type") == cell.cell_type
        ):
            source = _source(mine)
            if cell.cell_type == "markdown":
                source = inert_markdown(
                    source, "*The student's answer, shown as plain text:*"
                )
            cell.source = source
        elif meta.get("solution") and gid in matched.covered:
            cell.source = f"# Answered in the cell of {matched.covered[gid]}, above."
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if gid in parts:
            p = parts[gid]
            text = f"Hidden tests {'passed' if p.passed else 'failed'}: {p.points:g} of {p.max_points:g} points.\n"
            if p.hint:
                text += f"Hint: {printable(p.hint, 400)}\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=assignment.release.metadata)
    return nb


def _answer_unchanged(
    mine: Any, name: str, points: float | None, checksum: str | None
) -> bool:
    """Whether the student left answer cell ``name`` as released (or deleted it).

    ``points`` is the cell's score if it is graded (by hand), else None;
    ``checksum`` is the released cell's, as the gradebook holds it.
    """
    from nbgrader import utils

    if mine is None:
        return True
    try:
        return utils.compute_checksum(_with_meta(mine, name, points)) == checksum
    except Exception:
        return False


def _open_submission(
    gb: Any, assignment: Assignment, student: str, timestamp: Any
) -> Any:
    """The student's submitted notebook in ``gb``'s session, made if new; no commit.

    nbgrader's ``update_or_create_*`` helpers commit after each row; building
    the rows as its ``add_submission`` does, and committing once with the
    grades, writes a submission in one transaction instead of three.
    """
    from nbgrader.api import (
        Assignment as GbAssignment,
    )
    from nbgrader.api import (
        Comment,
        Grade,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    db = gb.db
    gb_assignment = (
        db.query(GbAssignment).filter(GbAssignment.name == assignment.id).first()
    )
    if gb_assignment is None:
        raise CourseError(
            f"the gradebook has no assignment {assignment.id!r}; release it first "
            f"(`course release {assignment.id}`) with this gradebook ({assignment.course.db_url})"
        )
    due = assignment.course.due_dates.get(assignment.id)
    if due is not None:
        # nbgrader keeps due dates as naive UTC; formgrader and its export show it.
        naive = due.astimezone(dt.UTC).replace(tzinfo=None)
        if gb_assignment.duedate != naive:
            gb_assignment.duedate = naive
    person = db.get(Student, student)
    if person is None:
        person = Student(id=student)
        db.add(person)
    submission = (
        db.query(SubmittedAssignment)
        .filter(
            SubmittedAssignment.assignment_id == gb_assignment.id,
            SubmittedAssignment.student_id == student,
        )
        .first()
    )
    if submission is None:
        # No autoflush while the rows are built: they join the session together,
        # when the submission is added, not one by one half-made.
        with db.no_autoflush:
            submission = SubmittedAssignment(assignment=gb_assignment, student=person)
            for notebook in gb_assignment.notebooks:
                nb = SubmittedNotebook(notebook=notebook, assignment=submission)
                for grade_cell in notebook.grade_cells:
                    Grade(cell=grade_cell, notebook=nb)
                for solution_cell in notebook.solution_cells:
                    Comment(cell=solution_cell, notebook=nb)
                for task_cell in notebook.task_cells:
                    Comment(cell=task_cell, notebook=nb)
                    Grade(cell=task_cell, notebook=nb)
            db.add(submission)
    if timestamp is not None:
        submission.timestamp = timestamp
    for nb in submission.notebooks:
        if nb.notebook.name == assignment.notebook_id:
            return nb
    raise CourseError(
        f"the gradebook's assignment {assignment.id!r} has no notebook "
        f"{assignment.notebook_id!r}; release it again (`course release {assignment.id}`)"
    )


def record(
    course: Course,
    assignment: Assignment,
    student: str,
    submitted_path: Path,
    result: StudentResult,
    submitted: NotebookNode | None = None,
    gradebook: Any = None,
    digest: str | None = None,
) -> None:
    """Write ``result`` to the gradebook, then the graded notebook, then the ledger.

    Everything written is made first, so that a submission that cannot be
    recorded leaves the gradebook as it was; the gradebook's rows are
    written in one transaction. ``gradebook`` is an open nbgrader
    ``Gradebook`` to write with (one is opened if it is None). ``submitted``
    and ``digest`` are the notebook that was graded and the SHA-256 of its
    bytes; without them, the file is read again.
    """
    if gradebook is None:
        with course.gradebook() as gb:
            record(
                course,
                assignment,
                student,
                submitted_path,
                result,
                submitted,
                gb,
                digest,
            )
        return
    if submitted is None or digest is None:
        data = read_regular(submitted_path, MAX_NOTEBOOK_BYTES)
        submitted, digest = parse_notebook(data), _sha256(data)
    graded_text = _notebook_json(_graded_notebook(assignment, submitted, result))
    ledger_text = json.dumps(
        {
            "submission_sha256": digest,
            "grader_sha256": assignment.fingerprint,
            "db_url": _safe_url(course.db_url),
            "graded_at": dt.datetime.now(dt.UTC).isoformat(),
            "seed": result.seed,
            "result": asdict(result),
        },
        indent=1,
    )
    graded_text.encode("utf-8")  # refuse now, not after the commit
    matched = assignment.match(submitted)
    answers: dict[str, Any] = dict(matched.answers)
    for gid, owner in matched.covered.items():
        answers[gid] = answers.get(owner)
    parts = {p.grade_id: p for p in result.parts}
    timestamp = _timestamp(submitted_path.parent)
    db = gradebook.db
    try:
        nb = _open_submission(gradebook, assignment, student, timestamp)
        checksums = {cell.name: cell.checksum for cell in nb.notebook.source_cells}
        points = {grade.cell.name: grade.cell.max_score for grade in nb.grades}
        unchanged = {
            name: _answer_unchanged(
                answers.get(name), name, points.get(name), checksums.get(name)
            )
            for name in {*points, *(comment.cell.name for comment in nb.comments)}
            if name not in parts
        }
        for grade in nb.grades:
            name = grade.cell.name
            if name in parts:
                grade.auto_score = parts[name].points
            else:
                # Graded by hand: no answer (unchanged) scores 0, else a human grades it.
                grade.auto_score = 0.0 if unchanged[name] else None
            grade.needs_manual_grade = (
                grade.manual_score is not None or grade.auto_score is None
            )
        for comment in nb.comments:
            comment.auto_comment = (
                "No response." if unchanged[comment.cell.name] else None
            )
        db.commit()
    except BaseException:
        db.rollback()
        raise
    out = course.path("autograded", student, assignment.id)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / assignment.notebook, graded_text)
    _atomic_write(out / LEDGER, ledger_text)


def _notebook_json(nb: NotebookNode) -> str:
    """``nb`` as nbformat writes it, without validating again what we built."""
    from nbformat.v4.nbjson import writes

    return writes(nb) + "\n"


def _with_meta(cell: NotebookNode, name: str, points: float | None) -> NotebookNode:
    """The student's answer cell with its released metadata, as nbgrader checks it.

    nbgrader restores an answer cell's metadata from the gradebook before it
    compares checksums, so nothing the student wrote in it counts.
    """
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    meta: dict[str, Any] = {
        "grade_id": name,
        "solution": True,
        "grade": points is not None,
        "locked": False,
    }
    if points is not None:
        meta["points"] = points
    copy.setdefault("metadata", {})["nbgrader"] = meta
    return copy


def _safe_url(url: str) -> str:
    """The gradebook URL without any password, for the ledger."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_ledger(
    course: Course, assignment_id: str, student: str
) -> dict[str, Any] | None:
    """The ledger ``course grade`` wrote for the student's submission, or None."""
    path = course.path("autograded", student, assignment_id, LEDGER)
    try:
        ledger = json.loads(read_regular(path, MAX_LEDGER_BYTES))
    except (OSError, ValueError, RecursionError):
        return None
    return ledger if isinstance(ledger, dict) else None


def _is_current(
    course: Course,
    assignment: Assignment,
    student: str,
    digest: str,
    recorded: dict[str, dict[str, float | None]] | None = None,
) -> bool:
    """Whether the ledger says these bytes were graded, and the gradebook agrees.

    ``recorded`` holds each student's autograded scores as the gradebook has
    them (see :func:`_recorded_scores`): a gradebook restored from a backup
    that lacks this grading, or holds other scores, is not current.
    """
    ledger = read_ledger(course, assignment.id, student)
    if not (
        ledger
        and ledger.get("grader_sha256") == assignment.fingerprint
        and ledger.get("db_url") == _safe_url(course.db_url)
        and ledger.get("submission_sha256") == digest
    ):
        return False
    if recorded is None:
        return True
    result = ledger.get("result")
    parts = result.get("parts") if isinstance(result, dict) else None
    if not isinstance(parts, list) or not parts:
        return False
    mine = recorded.get(student, {})
    return all(
        isinstance(p, dict) and mine.get(p.get("grade_id"), "absent") == p.get("points")
        for p in parts
    )


def _recorded_scores(
    course: Course, assignment: Assignment
) -> dict[str, dict[str, float | None]]:
    """Student -> test cell -> autograded score, as the gradebook holds them."""
    from nbgrader.api import Assignment as GbAssignment
    from nbgrader.api import (
        BaseCell,
        Grade,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    scores: dict[str, dict[str, float | None]] = {}
    with course.gradebook() as gb:
        rows = (
            gb.db.query(SubmittedAssignment.student_id, BaseCell.name, Grade.auto_score)
            .select_from(Grade)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(
                SubmittedAssignment,
                SubmittedNotebook.assignment_id == SubmittedAssignment.id,
            )
            .join(GbAssignment, SubmittedAssignment.assignment_id == GbAssignment.id)
            .join(BaseCell, Grade.cell_id == BaseCell.id)
            .filter(GbAssignment.name == assignment.id)
            .all()
        )
    for student, cell, score in rows:
        scores.setdefault(student, {})[cell] = score
    return scores


def _seed(
    course: Course, assignment: Assignment, student: str, digest: str, secret: bytes
) -> int:
    """The submission's seed: the one its ledger recorded for these bytes, or a new one."""
    ledger = read_ledger(course, assignment.id, student)
    if ledger and ledger.get("submission_sha256") == digest:
        recorded = ledger.get("seed")
        if isinstance(recorded, str) and re.fullmatch(r"[0-9a-f]{1,64}", recorded):
            return int(recorded, 16)
    return submission_seed(secret, course.course_id, assignment.id, student, digest)


# --------------------------------------------------------------------------
# The whole class
# --------------------------------------------------------------------------


def preflight(limits: Limits) -> list[str]:
    """Check once that sandboxes can run here; what the host cannot limit.

    Raises
    ------
    SandboxError
        If no sandbox can start (bubblewrap missing or refused).
    """
    check_sandbox(limits)
    support = host_support()
    missing = support.missing()
    if not missing:
        return []
    why = f" ({support.why})" if support.why else ""
    return [
        "this host cannot limit each sandbox's "
        + ", ".join(missing)
        + f"{why}: each submission still has its own address-space, file-size, "
        "CPU-time and wall-clock limits. Run as root, or on a host with systemd "
        "and cgroup v2, to apply them (README, instructor section)."
    ]


def check_released(course: Course, assignments: Iterable[Assignment]) -> None:
    """Fail once, before anyone is graded, unless each assignment is in the gradebook.

    Raises
    ------
    CourseError
        If the gradebook is missing, or lacks an assignment or its notebook:
        ``course release`` puts them there.
    """
    # Plain SQL: importing nbgrader costs about a second, and this check must
    # answer before that.
    from sqlalchemy import create_engine, make_url, text

    url = make_url(course.db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
        if not Path(database).is_file():
            names = " ".join(a.id for a in assignments)
            raise CourseError(
                f"the gradebook must exist before grading; got no {database}: "
                f"release the homework first (`course release {names}`), or restore "
                "the gradebook from its backup"
            )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = {
                (row[0], row[1])
                for row in conn.execute(
                    text(
                        "SELECT assignment.name, notebook.name FROM notebook JOIN "
                        "assignment ON assignment.id = notebook.assignment_id "
                        "WHERE assignment.course_id = :course"
                    ),
                    {"course": course.course_id},
                )
            }
    except Exception as error:
        raise CourseError(
            f"the gradebook must be an nbgrader gradebook; got {_safe_url(course.db_url)} "
            f"({type(error).__name__}: {first_line(error, 160)}): restore it from "
            "its backup, or release the homework again"
        ) from None
    finally:
        engine.dispose()
    for assignment in assignments:
        if (assignment.id, assignment.notebook_id) not in found:
            raise CourseError(
                f"{assignment.id} must be released with this gradebook before it "
                f"is graded; got no {assignment.id}/{assignment.notebook_id} in "
                f"{_safe_url(course.db_url)}: run `course release {assignment.id}`"
            )


class Unrecognised(ValueError):
    """A submission in which nothing of the released notebook can be found."""


@dataclass
class _Prepared:
    student: str
    path: Path
    digest: str
    notebook: NotebookNode
    job: Job
    findings: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def _prepare(
    course: Course,
    assignment: Assignment,
    student: str,
    path: Path,
    limits: Limits,
    secret: bytes,
) -> _Prepared:
    data = read_regular(path, MAX_NOTEBOOK_BYTES)
    digest = _sha256(data)
    nb = parse_notebook(data)  # the bytes hashed are the bytes graded
    matched = assignment.match(nb)
    if not matched.found:
        raise Unrecognised(
            f"holds none of {assignment.id}'s cells: no nbgrader metadata, no cell "
            f"of the released notebook and none of its functions "
            f"({', '.join(sorted(set().union(*assignment.stub_names.values())))}); "
            "ask the student to put their answers in the released notebook "
            "and resubmit"
        )
    cells = assignment.cells_to_run(nb, matched)
    notes = []
    if matched.by_names:
        notes.append(
            "This notebook had lost its grading metadata (copied to a new notebook?): "
            f"the answers to {', '.join(matched.by_names)} were found by the names "
            "they define and by their place. Check them in formgrader."
        )
    findings = []
    for c in assignment.to_scan(cells):
        findings += [asdict(f) for f in scan_source(c["source"], c["id"])]
    seed = _seed(course, assignment, student, digest, secret)
    return _Prepared(
        student,
        path,
        digest,
        nb,
        assignment.job(student, cells, seed, limits),
        findings,
        notes,
    )


def _rel(course: Course, path: Path) -> str:
    try:
        return str(path.relative_to(course.root))
    except ValueError:
        return str(path)


def grade_class(
    course: Course,
    assignment_id: str,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    students: Iterable[str] | None = None,
    force: bool = False,
    limits: Limits | None = None,
    progress: bool = True,
    on_warning: Any = None,
) -> GradeSummary:
    """Grade every (or the named) submission of ``assignment_id``.

    Parameters
    ----------
    course : Course
        The course directory and gradebook.
    assignment_id : str
        E.g. ``"hw01"``.
    workers : int, optional
        Submissions graded at once on this machine (default: all cores).
    scheduler : str, optional
        Address of an existing Dask scheduler to send the work to instead.
    students : iterable of str, optional
        Grade only these students (always regraded).
    force : bool
        Regrade submissions whose ledger says they are already graded.
    limits : Limits, optional
        Sandbox resource limits.
    progress : bool
        Show a progress bar on stderr.
    on_warning : callable, optional
        Called once with each warning about the host (limits it cannot
        apply) before any submission is graded.
    """
    return grade_assignments(
        course,
        [assignment_id],
        workers=workers,
        scheduler=scheduler,
        students=students,
        force=force,
        limits=limits,
        progress=progress,
        on_warning=on_warning,
    )[assignment_id]


class _Pool:
    """Where jobs run: threads of this process, or an existing Dask cluster.

    On one machine every job spends its time in a sandbox (a process of its
    own) and a short check here, so a thread per core keeps every core busy
    without starting a cluster; ``scheduler`` sends the jobs to Dask workers
    on other machines instead.
    """

    def __init__(self, workers: int, scheduler: str | None):
        self.scheduler = scheduler
        self._stack = contextlib.ExitStack()
        if scheduler:
            from distributed import Client

            self.client = self._stack.enter_context(Client(scheduler))
        else:
            from concurrent.futures import ThreadPoolExecutor

            self.client = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
            )

    def warm(self, limits: Limits, preload: tuple[str, ...], workers: int) -> None:
        """Start each worker thread's warm sandbox while the submissions are read."""
        if not self.scheduler:
            for _ in range(workers):
                self.client.submit(start_warm_sandbox, limits, preload)

    def submit(self, job: Job, key: str) -> Any:
        if self.scheduler:
            return self.client.submit(grade_job, job, key=key, pure=False)
        return self.client.submit(grade_job, job)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        if self.scheduler:
            from distributed import as_completed

            return iter(as_completed(list(futures)))
        from concurrent.futures import as_completed

        return as_completed(list(futures))

    def close(self) -> None:
        self._stack.close()


def _todo(
    course: Course,
    assignment: Assignment,
    students: list[str] | None,
    force: bool,
    summary: GradeSummary,
) -> dict[str, Path]:
    found, errors = find_submissions(course, assignment, students)
    summary.errors.extend(errors)
    todo: dict[str, Path] = {}
    # What the gradebook holds, read once: a ledger alone is not enough, the
    # gradebook may have been restored from a backup since.
    recorded = _recorded_scores(course, assignment) if found and not force else None
    for student, path in found.items():
        try:
            digest = _sha256(read_regular(path, MAX_NOTEBOOK_BYTES))
        except OSError as error:
            summary.errors.append(
                StudentError(student, _rel(course, path), f"cannot be read ({error})")
            )
            continue
        if (
            not force
            and not students
            and _is_current(course, assignment, student, digest, recorded)
        ):
            summary.skipped.append(student)
            continue
        todo[student] = path
    return todo


def _prepare_all(
    course: Course,
    assignment: Assignment,
    todo: dict[str, Path],
    limits: Limits,
    secret: bytes,
    summary: GradeSummary,
) -> dict[str, _Prepared]:
    prepared: dict[str, _Prepared] = {}
    for student, path in todo.items():
        try:
            prepared[student] = _prepare(
                course, assignment, student, path, limits, secret
            )
        except Unrecognised as error:
            summary.errors.append(
                StudentError(student, _rel(course, path), f"not graded: it {error}")
            )
        except ValueError as error:
            summary.errors.append(
                StudentError(
                    student,
                    _rel(course, path),
                    f"not a valid notebook: it {error}; ask the student to resubmit, "
                    "or repair the JSON",
                )
            )
        except (Exception, RecursionError) as error:
            summary.errors.append(
                StudentError(
                    student,
                    _rel(course, path),
                    f"could not be prepared for grading ({type(error).__name__}: "
                    f"{first_line(error, 160)}); look at the notebook, then run "
                    f"`course grade {assignment.id} --student {student}`",
                )
            )
    return prepared


def _finish(
    course: Course,
    assignment: Assignment,
    prep: _Prepared,
    outcome: JobResult,
    summary: GradeSummary,
    gradebook: Any = None,
) -> StudentResult | None:
    """Record one graded submission; its error in ``summary`` if that fails."""
    student = prep.student
    again = f"run `course grade {assignment.id} --student {student}` again"
    if outcome.infrastructure:
        summary.errors.append(
            StudentError(
                student,
                _rel(course, prep.path),
                f"grading failed ({first_line(outcome.infrastructure, 200)}); {again}",
            )
        )
        return None
    result = StudentResult(
        student=student,
        parts=outcome.parts,
        cell_errors=outcome.cell_errors,
        skipped_cells=outcome.skipped_cells,
        error=outcome.error,
        seconds=outcome.seconds,
        findings=prep.findings,
        seed=format(prep.job.seed, "x"),
        notes=prep.notes,
    )
    try:
        record(
            course,
            assignment,
            student,
            prep.path,
            result,
            prep.notebook,
            gradebook,
            prep.digest,
        )
    except CourseError:
        raise
    except (Exception, RecursionError) as error:
        summary.errors.append(
            StudentError(
                student,
                _rel(course, prep.path),
                f"graded but not recorded ({type(error).__name__}: "
                f"{first_line(error, 160)}); {again}",
            )
        )
        return None
    summary.graded.append(result)
    return result


def grade_assignments(
    course: Course,
    assignment_ids: Iterable[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    students: Iterable[str] | None = None,
    force: bool = False,
    limits: Limits | None = None,
    progress: bool = True,
    on_warning: Any = None,
) -> dict[str, GradeSummary]:
    """Grade the submissions of several assignments together; a summary for each.

    The parameters are those of :func:`grade_class`. All submissions share
    one pool of workers, so a small assignment does not leave cores idle
    while a large one finishes.
    """
    from tqdm import tqdm

    assignments = {
        aid: Assignment(course, aid) for aid in dict.fromkeys(assignment_ids)
    }
    limits = limits or Limits()
    students = list(students) if students else None
    # The preflight: each problem of the host or the course is one error, at
    # once, before the gradebook is even opened (well under a second).
    bwrap_path()
    check_released(course, assignments.values())
    warnings_ = preflight(limits)
    summaries = {aid: GradeSummary(warnings=warnings_) for aid in assignments}
    if on_warning is not None:
        for warning in warnings_:
            on_warning(warning)
    todo = {
        aid: _todo(course, a, students, force, summaries[aid])
        for aid, a in assignments.items()
    }
    if not any(todo.values()):
        return summaries
    secret = course.secret()
    size = max(1, min(workers or os.cpu_count() or 1, sum(map(len, todo.values()))))
    pool = _Pool(size, scheduler)
    try:
        first = next(aid for aid in assignments if todo[aid])
        pool.warm(limits, assignments[first].preload, size)
        prepared = {
            aid: _prepare_all(course, a, todo[aid], limits, secret, summaries[aid])
            for aid, a in assignments.items()
        }
        jobs = [
            (aid, prep) for aid, preps in prepared.items() for prep in preps.values()
        ]
        if not jobs:
            return summaries
        with course.gradebook() as gradebook:
            futures = {
                pool.submit(prep.job, f"grade-{aid}-{prep.student}"): (aid, prep)
                for aid, prep in jobs
            }
            names = ", ".join(assignments)
            bar = tqdm(
                total=len(futures),
                desc=f"grading {names}",
                unit="submission",
                file=sys.stderr,
                disable=not progress,
            )
            for future in pool.as_completed(futures):
                aid, prep = futures[future]
                bar.update()
                try:
                    outcome: JobResult = future.result()
                except Exception as error:
                    outcome = JobResult(
                        [], {}, [], None, 0.0, f"{type(error).__name__}: {error}"
                    )
                result = _finish(
                    course, assignments[aid], prep, outcome, summaries[aid], gradebook
                )
                if result is not None:
                    bar.set_postfix_str(
                        f"{printable(prep.student, 40)}: {result.score:g}"
                    )
            bar.close()
    finally:
        pool.close()
        close_warm_sandboxes()
    return summaries


# --------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------


def write_feedback(course: Course, assignment: Assignment, student: str) -> Path:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` from the ledger.

    Raises
    ------
    CourseError
        If the student's submission has not been graded by ``course grade``.
    """
    from course_tools.grading.feedback import feedback_html

    ledger = read_ledger(course, assignment.id, student)
    if not ledger:
        raise CourseError(
            f"{student} has no graded submission of {assignment.id}; run "
            f"`course grade {assignment.id} --student {student}` first"
        )
    result = ledger["result"]
    manual = []
    with course.gradebook() as gb:
        notebook = gb.find_notebook(assignment.notebook_id, assignment.id)
        for cell in notebook.grade_cells:
            if cell.name in assignment.points:
                continue
            grade = gb.find_grade(
                cell.name, assignment.notebook_id, assignment.id, student
            )
            try:
                comment = gb.find_comment(
                    cell.name, assignment.notebook_id, assignment.id, student
                )
                text = comment.manual_comment or comment.auto_comment
            except Exception:
                text = None
            score = (
                grade.manual_score
                if grade.manual_score is not None
                else grade.auto_score
            )
            manual.append(
                {
                    "grade_id": cell.name,
                    "score": score,
                    "max_points": cell.max_score,
                    "comment": None if text == "No response." else text,
                    "unanswered": grade.manual_score is None and text == "No response.",
                }
            )
    late, fraction = submission_lateness(course, assignment.id, student)
    notes = [str(n) for n in result.get("notes") or []]
    notes += [
        f"Cell {cid} raised {err}"
        for cid, err in (result.get("cell_errors") or {}).items()
        if err
    ]
    notes += [
        f"Cell skipped because it {why.split(': ', 1)[-1]}"
        for why in result.get("skipped_cells") or []
    ]
    if result.get("error"):
        notes.append(str(result["error"]))
    page = feedback_html(
        title=f"Feedback on {assignment.id}",
        student=student,
        parts=result["parts"],
        manual=manual,
        notes=notes,
        late=(
            f"Submitted {late.describe()} (policy: {course.late_policy.describe()})"
            if late.late
            else ""
        ),
        late_fraction=fraction,
    )
    out = course.path("feedback", student, assignment.id)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (assignment.notebook_id + ".html")
    _atomic_write(path, page)
    return path


def submission_lateness(
    course: Course, assignment_id: str, student: str
) -> tuple[Lateness, float]:
    """How late the student's submission is, and the fraction of its score it loses.

    From the homework's due date (with any extension the gradebook holds for
    the student), the submission's time in the gradebook, and the LMS's late
    flag as ``course collect`` recorded it.
    """
    from nbgrader.api import Assignment as GbAssignment
    from nbgrader.api import SubmittedAssignment

    from course_tools.grading.collect import read_facts

    when = extension = None
    with course.gradebook() as gb:
        row = (
            gb.db.query(SubmittedAssignment.timestamp, SubmittedAssignment.extension)
            .join(GbAssignment, GbAssignment.id == SubmittedAssignment.assignment_id)
            .filter(
                GbAssignment.name == assignment_id,
                SubmittedAssignment.student_id == student,
            )
            .first()
        )
    if row is not None:
        when, extension = row.timestamp, row.extension
    flagged = bool(read_facts(course.root, assignment_id).get(student, {}).get("late"))
    return course.late_policy.assess(
        course.due_dates.get(assignment_id), when, flagged, extension
    )


def graded_students(course: Course, assignment: Assignment) -> list[str]:
    """Students with a ledger for ``assignment`` (graded by ``course grade``)."""
    base = course.path("autograded")
    if not base.is_dir():
        return []
    return sorted(
        p.parent.parent.name for p in base.glob(f"*/{assignment.id}/{LEDGER}")
    )
