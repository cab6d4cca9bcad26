"""Each student's feedback page, written from the ledger and the gradebook."""

from __future__ import annotations

from pathlib import Path

from course_tools.grading._course import Assignment, Course, CourseError
from course_tools.grading._files import atomic_write
from course_tools.grading._gradebook import submission_lateness
from course_tools.grading._ledger import read_ledger


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
    atomic_write(path, page)
    return path
