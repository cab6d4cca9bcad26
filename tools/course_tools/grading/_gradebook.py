"""nbgrader's gradebook: what ``course grade`` reads from it and writes to it.

Before grading, :func:`check_released` makes sure every assignment is there;
:func:`recorded_scores` says what each student's scores are now;
:func:`write_grades` writes one submission's scores (and nbgrader's "No
response." for answers left as released) in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_tools.grading._course import Assignment, Course, CourseError
from course_tools.grading._results import StudentResult
from course_tools.grading._text import first_line
from course_tools.grading.late import Lateness


def safe_url(url: str) -> str:
    """The gradebook URL without any password, for the ledger."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


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
            f"the gradebook must be an nbgrader gradebook; got {safe_url(course.db_url)} "
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
                f"{safe_url(course.db_url)}: run `course release {assignment.id}`"
            )


def recorded_scores(
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
    from nbgrader.api import Student, SubmittedAssignment

    db = gb.db
    gb_assignment = _released_assignment(db, assignment)
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
        submission = _new_submission(db, gb_assignment, person)
    if timestamp is not None:
        submission.timestamp = timestamp
    for nb in submission.notebooks:
        if nb.notebook.name == assignment.notebook_id:
            return nb
    raise CourseError(
        f"the gradebook's assignment {assignment.id!r} has no notebook "
        f"{assignment.notebook_id!r}; release it again (`course release {assignment.id}`)"
    )


def _released_assignment(db: Any, assignment: Assignment) -> Any:
    """The gradebook's row of ``assignment``, its due date set to the course's."""
    from nbgrader.api import Assignment as GbAssignment

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
    return gb_assignment


def _new_submission(db: Any, gb_assignment: Any, person: Any) -> Any:
    """A new submission of ``gb_assignment`` by ``person``, with its rows, added to ``db``."""
    from nbgrader.api import Comment, Grade, SubmittedAssignment, SubmittedNotebook

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
    return submission


def write_grades(
    gradebook: Any,
    assignment: Assignment,
    student: str,
    submitted: NotebookNode,
    result: StudentResult,
    timestamp: dt.datetime | None,
) -> None:
    """Write the scores of ``result`` for ``submitted`` in one transaction.

    An answer graded by hand that the student left as released (or deleted)
    scores 0 with nbgrader's "No response."; any other goes to a human. On
    any error the transaction is rolled back: the gradebook is as it was.
    """
    matched = assignment.match(submitted)
    answers: dict[str, Any] = dict(matched.answers)
    for gid, owner in matched.covered.items():
        answers[gid] = answers.get(owner)
    parts = {p.grade_id: p for p in result.parts}
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
