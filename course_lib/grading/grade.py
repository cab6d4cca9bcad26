"""Grade a whole class: sandboxed runs in parallel, scores decided here.

:func:`grade_class` is what ``course grade`` runs. For every submission it
builds the list of code cells to run (the student's answers, with locked cells
restored from the released notebook and test cells left out), sends it to a
Dask worker, which runs it with :func:`~course_lib.grading.sandbox.run_sandboxed`
and returns the plain-data outcomes of the hidden tests' calls. This process
then decodes those outcomes and runs the hidden tests' checks (student code
never ran here), and records the scores in nbgrader's gradebook, writes the
graded notebook to ``autograded/`` and a small ledger that lets an interrupted
run resume where it stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_lib.grading.sandbox import Limits, SandboxResult, run_sandboxed
from course_lib.grading.scan import scan_source
from course_lib.grading.spec import (
    HIDDEN_TESTS_FILE,
    Test,
    load_hidden_tests,
    outcome_from_record,
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


class CourseError(RuntimeError):
    """The course or assignment is not set up for grading; says what to do."""


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
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        cd = config.get("CourseDirectory", {})
        url = db_url or cd.get("db_url") or f"sqlite:///{root / 'gradebook.db'}"
        return cls(
            root=root,
            course_id=cd.get("course_id", "") or "default_course",
            db_url=url,
            source=cd.get("source_directory", "source"),
            release=cd.get("release_directory", "release"),
            submitted=cd.get("submitted_directory", "submitted"),
            autograded=cd.get("autograded_directory", "autograded"),
            feedback=cd.get("feedback_directory", "feedback"),
        )

    def path(self, step: str, *parts: str) -> Path:
        return (
            self.root / getattr(self, step) / Path(*parts)
            if parts
            else self.root / getattr(self, step)
        )

    @contextlib.contextmanager
    def gradebook(self) -> Iterator[Any]:
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, self.course_id) as gb:
            yield gb


# --------------------------------------------------------------------------
# One assignment: its released notebook and its hidden tests
# --------------------------------------------------------------------------


def _meta(cell: NotebookNode) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def _is_test(cell: NotebookNode) -> bool:
    m = _meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.cell_type == "code"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
        self.tests: dict[str, Test] = load_hidden_tests(hidden)
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
        self.calls = {gid: test.calls() for gid, test in self.tests.items()}
        self.fingerprint = _sha256(release_bytes + hidden.read_bytes())

    # ---------------------------------------------------------------- cells
    def cells_to_run(self, submitted: NotebookNode) -> list[dict[str, str]]:
        """The code to run for ``submitted``, in notebook order.

        Locked cells come from the released notebook (edits are undone, deleted
        ones restored); answer cells come from the student (a deleted answer
        is the released stub); test cells are not run; cells the student added
        run where they stand.
        """
        release_ids = [_meta(c).get("grade_id") for c in self.release.cells]
        known = set(release_ids)
        answers: dict[str, NotebookNode] = {}
        added: dict[str | None, list[NotebookNode]] = {}
        anchor: str | None = None
        for cell in submitted.cells:
            gid = _meta(cell).get("grade_id")
            if gid in known:
                answers.setdefault(gid, cell)
                anchor = gid
            elif cell.get("cell_type") == "code":
                added.setdefault(anchor, []).append(cell)
        run: list[dict[str, str]] = []

        def emit_added(key: str | None) -> None:
            for i, cell in enumerate(added.get(key, [])):
                run.append(
                    {
                        "id": f"added after {key or 'start'} #{i + 1}",
                        "source": cell.source,
                    }
                )

        emit_added(None)
        for cell in self.release.cells:
            gid = _meta(cell).get("grade_id")
            if cell.cell_type == "code" and not _is_test(cell):
                meta = _meta(cell)
                mine = answers.get(gid)
                if (
                    meta.get("solution")
                    and mine is not None
                    and mine.get("cell_type") == "code"
                ):
                    source = mine.source
                else:
                    source = cell.source
                run.append({"id": str(gid), "source": source})
            emit_added(gid)
        return run

    # ---------------------------------------------------------------- scores
    def score(self, result: SandboxResult) -> list[PartResult]:
        """Decide every test cell's score from the sandbox's records."""
        parts = []
        for gid, test in self.tests.items():
            n_calls = len(self.calls[gid])
            record = result.records.get(gid)
            if (
                isinstance(record, dict)
                and isinstance(record.get("outcomes"), list)
                and len(record["outcomes"]) == n_calls
            ):
                outcomes = [outcome_from_record(r) for r in record["outcomes"]]
            else:
                why = record.get("error") if isinstance(record, dict) else None
                why = str(why or result.error or "no result")[:400]
                outcomes = [outcome_from_record({"error": why})] * n_calls
            passed, hint = verdict(test, outcomes)
            errors = sorted({o.error for o in outcomes if o.error})
            if not passed and hint is None and errors:
                hint = f"Your code raised an error on a hidden test: {errors[0]}"
            parts.append(
                PartResult(
                    grade_id=gid,
                    points=self.points[gid] if passed else 0.0,
                    max_points=self.points[gid],
                    passed=passed,
                    hint=hint,
                )
            )
        return parts


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
        return f"{self.student}: {self.file}: {self.message}"


@dataclass
class GradeSummary:
    graded: list[StudentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded, unchanged
    errors: list[StudentError] = field(default_factory=list)


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
            p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")
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
        if not expected.is_file():
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
        try:
            nb = nbformat.read(expected, as_version=4)
            nbformat.validate(nb)
        except Exception as error:
            errors.append(
                StudentError(
                    student,
                    where + assignment.notebook,
                    f"not a valid notebook ({type(error).__name__}: {str(error)[:200]}); "
                    "ask the student to resubmit, or repair the JSON",
                )
            )
            continue
        found[student] = expected
    return found, errors


# --------------------------------------------------------------------------
# Recording results
# --------------------------------------------------------------------------


def _timestamp(folder: Path) -> dt.datetime | None:
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(stamp.read_text().strip())
    except Exception:
        return None


def _graded_notebook(
    assignment: Assignment, submitted: NotebookNode, result: StudentResult
) -> NotebookNode:
    """The released notebook with the student's answers and the test verdicts."""
    by_id: dict[str, NotebookNode] = {}
    for cell in submitted.cells:
        gid = _meta(cell).get("grade_id")
        if gid and gid not in by_id:
            by_id[gid] = cell
    parts = {p.grade_id: p for p in result.parts}
    cells = []
    for cell in assignment.release.cells:
        cell = nbformat.from_dict(json.loads(json.dumps(cell)))
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if (
            meta.get("solution")
            and gid in by_id
            and by_id[gid].get("cell_type") == cell.cell_type
        ):
            cell.source = by_id[gid].source
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if gid in parts:
            p = parts[gid]
            text = f"Hidden tests {'passed' if p.passed else 'failed'}: {p.points:g} of {p.max_points:g} points.\n"
            if p.hint:
                text += f"Hint: {p.hint}\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=assignment.release.metadata)
    return nb


def record(
    course: Course,
    assignment: Assignment,
    student: str,
    submitted_path: Path,
    result: StudentResult,
) -> None:
    """Write ``result`` to the gradebook, then the graded notebook, then the ledger."""
    from nbgrader import utils

    submitted = nbformat.read(submitted_path, as_version=4)
    answers = {
        _meta(c).get("grade_id"): c
        for c in reversed(submitted.cells)
        if _meta(c).get("grade_id")
    }
    parts = {p.grade_id: p for p in result.parts}
    with course.gradebook() as gb:
        gb.update_or_create_student(student)
        try:
            gb.find_assignment(assignment.id)
        except Exception as error:  # nbgrader.api.MissingEntry
            raise CourseError(
                f"the gradebook has no assignment {assignment.id!r}; release it first "
                f"(`course release {assignment.id}`) with this gradebook ({course.db_url})"
            ) from error
        timestamp = _timestamp(submitted_path.parent)
        with warnings.catch_warnings():
            # nbgrader builds a new submission's rows before adding it to the
            # session, and SQLAlchemy 2 warns about that on autoflush; harmless.
            warnings.filterwarnings("ignore", message=".*not in session, add operation")
            if timestamp is not None:
                gb.update_or_create_submission(
                    assignment.id, student, timestamp=timestamp
                )
            else:
                gb.update_or_create_submission(assignment.id, student)
        notebook = gb.find_notebook(assignment.notebook_id, assignment.id)
        for grade_cell in notebook.grade_cells:
            grade = gb.find_grade(
                grade_cell.name, assignment.notebook_id, assignment.id, student
            )
            if grade_cell.name in parts:
                grade.auto_score = parts[grade_cell.name].points
            else:
                # A cell graded by hand: no answer (unchanged) scores 0, else a human grades it.
                mine = answers.get(grade_cell.name)
                unchanged = mine is None or utils.compute_checksum(
                    _with_meta(mine, grade_cell)
                ) == _source_checksum(notebook, grade_cell.name)
                grade.auto_score = 0.0 if unchanged else None
            grade.needs_manual_grade = (
                grade.manual_score is not None or grade.auto_score is None
            )
        for solution_cell in notebook.solution_cells:
            comment = gb.find_comment(
                solution_cell.name, assignment.notebook_id, assignment.id, student
            )
            mine = answers.get(solution_cell.name)
            unchanged = mine is None or utils.compute_checksum(
                _with_meta(mine, solution_cell)
            ) == _source_checksum(notebook, solution_cell.name)
            comment.auto_comment = "No response." if unchanged else None
        gb.db.commit()
    out = course.path("autograded", student, assignment.id)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(
        out / assignment.notebook,
        nbformat.writes(_graded_notebook(assignment, submitted, result)),
    )
    ledger = {
        "submission_sha256": _sha256(submitted_path.read_bytes()),
        "grader_sha256": assignment.fingerprint,
        "db_url": _safe_url(course.db_url),
        "graded_at": dt.datetime.now(dt.UTC).isoformat(),
        "result": asdict(result),
    }
    _atomic_write(out / LEDGER, json.dumps(ledger, indent=1))


def _source_checksum(notebook: Any, name: str) -> str | None:
    for cell in notebook.source_cells:
        if cell.name == name:
            return cell.checksum
    return None


def _with_meta(cell: NotebookNode, gradebook_cell: Any) -> NotebookNode:
    """The student's cell with the gradebook's metadata, as nbgrader checks it."""
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    meta = copy.setdefault("metadata", {}).setdefault("nbgrader", {})
    meta.update({"grade_id": gradebook_cell.name, "solution": True})
    if hasattr(gradebook_cell, "max_score"):
        meta.update({"grade": True, "points": gradebook_cell.max_score})
    else:
        meta["grade"] = False
    return copy


def _safe_url(url: str) -> str:
    """The gradebook URL without any password, for the ledger."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_ledger(
    course: Course, assignment: Assignment, student: str
) -> dict[str, Any] | None:
    path = course.path("autograded", student, assignment.id, LEDGER)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _is_current(
    course: Course, assignment: Assignment, student: str, path: Path
) -> bool:
    ledger = read_ledger(course, assignment, student)
    return bool(
        ledger
        and ledger.get("grader_sha256") == assignment.fingerprint
        and ledger.get("db_url") == _safe_url(course.db_url)
        and ledger.get("submission_sha256") == _sha256(path.read_bytes())
    )


# --------------------------------------------------------------------------
# The whole class
# --------------------------------------------------------------------------


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
) -> GradeSummary:
    """Grade every (or the named) submission of ``assignment_id``.

    Parameters
    ----------
    course : Course
        The course directory and gradebook.
    assignment_id : str
        E.g. ``"hw01"``.
    workers : int, optional
        Worker processes of the local Dask cluster (default: all cores).
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
    """
    from distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    assignment = Assignment(course, assignment_id)
    limits = limits or Limits()
    students = list(students) if students else None
    found, errors = find_submissions(course, assignment, students)
    summary = GradeSummary(errors=errors)
    todo = {}
    for student, path in found.items():
        if (
            not force
            and not students
            and _is_current(course, assignment, student, path)
        ):
            summary.skipped.append(student)
            continue
        todo[student] = path
    if not todo:
        return summary
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    memory_limit=0,
                    silence_logs=40,
                )
            )
            client = stack.enter_context(Client(cluster))
        calls = client.scatter(assignment.calls, broadcast=True)
        futures = {}
        findings: dict[str, list[dict[str, Any]]] = {}
        for student, path in todo.items():
            cells = assignment.cells_to_run(nbformat.read(path, as_version=4))
            findings[student] = [
                asdict(f) for c in cells for f in scan_source(c["source"], c["id"])
            ]
            future = client.submit(
                run_sandboxed,
                cells,
                calls,
                limits,
                key=f"grade-{assignment.id}-{student}",
                pure=False,
            )
            futures[future] = student
        bar = tqdm(
            total=len(futures),
            desc=f"grading {assignment.id}",
            unit="submission",
            file=sys.stderr,
            disable=not progress,
        )
        for future in as_completed(futures):
            student = futures[future]
            try:
                raw: SandboxResult = future.result()
            except Exception as error:
                summary.errors.append(
                    StudentError(
                        student,
                        str(todo[student].relative_to(course.root)),
                        f"grading failed ({type(error).__name__}: {error}); run `course grade {assignment.id} --student {student}` again",
                    )
                )
                bar.update()
                continue
            result = StudentResult(
                student=student,
                parts=assignment.score(raw),
                cell_errors=raw.cell_errors,
                skipped_cells=raw.skipped_cells,
                error=raw.error,
                seconds=raw.seconds,
                findings=findings[student],
            )
            record(course, assignment, student, todo[student], result)
            summary.graded.append(result)
            bar.update()
            bar.set_postfix_str(f"{student}: {result.score:g}")
        bar.close()
    return summary


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
    from course_lib.grading.feedback import feedback_html

    ledger = read_ledger(course, assignment, student)
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
    notes = [
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
    )
    out = course.path("feedback", student, assignment.id)
    out.mkdir(parents=True, exist_ok=True)
    path = out / (assignment.notebook_id + ".html")
    _atomic_write(path, page)
    return path


def graded_students(course: Course, assignment: Assignment) -> list[str]:
    """Students with a ledger for ``assignment`` (graded by ``course grade``)."""
    base = course.path("autograded")
    if not base.is_dir():
        return []
    return sorted(
        p.parent.parent.name for p in base.glob(f"*/{assignment.id}/{LEDGER}")
    )
