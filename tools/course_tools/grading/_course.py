"""The course's configuration: its folders and gradebook, and each assignment.

:class:`Course` is read from ``nbgrader_config.py``; :class:`Assignment` is
one assignment's released notebook and hidden tests, the cells to run for a
submission and the job a worker grades.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_tools.grading._dispatch import Job
from course_tools.grading._files import read_regular, sha256
from course_tools.grading._text import first_line
from course_tools.grading.late import LatePolicy, parse_due
from course_tools.grading.match import (
    Matched,
    defined_names,
    match_submission,
)
from course_tools.grading.match import cell_meta as _meta
from course_tools.grading.match import cell_source as _source
from course_tools.grading.match import grade_id as _grade_id
from course_tools.grading.sandbox import Limits
from course_tools.grading.spec import HIDDEN_TESTS_FILE, Test, load_hidden_tests

SECRET_FILE = ".course-secret"


class CourseError(RuntimeError):
    """The course or assignment is not set up for grading; says what to do."""


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


def _is_test(cell: NotebookNode) -> bool:
    m = _meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.cell_type == "code"


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
        self.fingerprint = sha256(release_bytes + hidden.read_bytes())
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
