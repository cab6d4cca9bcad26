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

This module is the entry point and the class-level run; the pieces live in
private modules of their own, and their public names are importable from
here: the configuration (``_course``: :class:`Course`, :class:`Assignment`),
files a student may have made hostile (``_files``), the worker's side
(``_dispatch``: :func:`grade_job`, :func:`score_records`, the preflight) and
its hidden tests (``_hidden``), the results (``_results``), nbgrader's
gradebook (``_gradebook``), the ledger (``_ledger``), what is recorded for a
graded submission (``_record``) and the feedback pages
(``_feedback_writer``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from course_tools.grading._course import BASE_PRELOAD as BASE_PRELOAD
from course_tools.grading._course import SECRET_FILE as SECRET_FILE
from course_tools.grading._course import Assignment, Course, CourseError
from course_tools.grading._course import imported_modules as imported_modules
from course_tools.grading._dispatch import Job, JobResult, Pool, preflight
from course_tools.grading._dispatch import grade_job as grade_job
from course_tools.grading._dispatch import score_records as score_records
from course_tools.grading._feedback_writer import write_feedback as write_feedback
from course_tools.grading._files import MAX_CELLS as MAX_CELLS
from course_tools.grading._files import (
    MAX_NOTEBOOK_BYTES,
    parse_notebook,
    read_regular,
    sha256,
)
from course_tools.grading._files import read_notebook as read_notebook
from course_tools.grading._gradebook import check_released, recorded_scores
from course_tools.grading._gradebook import (
    submission_lateness as submission_lateness,
)
from course_tools.grading._ledger import LEDGER as LEDGER
from course_tools.grading._ledger import MAX_LEDGER_BYTES as MAX_LEDGER_BYTES
from course_tools.grading._ledger import graded_students as graded_students
from course_tools.grading._ledger import grading_seed, is_current
from course_tools.grading._ledger import read_ledger as read_ledger
from course_tools.grading._record import record
from course_tools.grading._results import (
    GradeSummary,
    PartResult,
    StudentError,
    StudentResult,
)
from course_tools.grading._text import first_line, printable
from course_tools.grading.sandbox import Limits, bwrap_path, close_warm_sandboxes
from course_tools.grading.scan import scan_source

__all__ = [
    "Assignment",
    "Course",
    "GradeSummary",
    "PartResult",
    "StudentError",
    "StudentResult",
    "grade_class",
]


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
    digest = sha256(data)
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
    seed = grading_seed(course, assignment, student, digest, secret)
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
    recorded = recorded_scores(course, assignment) if found and not force else None
    for student, path in found.items():
        try:
            digest = sha256(read_regular(path, MAX_NOTEBOOK_BYTES))
        except OSError as error:
            summary.errors.append(
                StudentError(student, _rel(course, path), f"cannot be read ({error})")
            )
            continue
        if (
            not force
            and not students
            and is_current(course, assignment, student, digest, recorded)
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
    pool = Pool(size, scheduler)
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
