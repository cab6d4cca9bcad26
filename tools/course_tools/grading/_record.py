"""Recording one graded submission: the gradebook, the graded notebook, the ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from course_tools.grading._course import Assignment, Course
from course_tools.grading._files import (
    MAX_NOTEBOOK_BYTES,
    atomic_write,
    parse_notebook,
    read_regular,
    sha256,
)
from course_tools.grading._gradebook import write_grades
from course_tools.grading._ledger import LEDGER, ledger_json
from course_tools.grading._results import StudentResult
from course_tools.grading._text import inert_markdown, printable
from course_tools.grading.match import cell_meta as _meta
from course_tools.grading.match import cell_source as _source
from course_tools.grading.match import grade_id as _grade_id


def _timestamp(folder: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        text = read_regular(folder / "timestamp.txt", 4096).decode("utf-8").strip()
        return parse_utc(text)
    except Exception:
        return None


def graded_notebook(
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
        submitted, digest = parse_notebook(data), sha256(data)
    graded_text = notebook_json(graded_notebook(assignment, submitted, result))
    ledger_text = ledger_json(course, assignment, digest, result)
    graded_text.encode("utf-8")  # refuse now, not after the commit
    write_grades(
        gradebook,
        assignment,
        student,
        submitted,
        result,
        _timestamp(submitted_path.parent),
    )
    out = course.path("autograded", student, assignment.id)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / assignment.notebook, graded_text)
    atomic_write(out / LEDGER, ledger_text)


def notebook_json(nb: NotebookNode) -> str:
    """``nb`` as nbformat writes it, without validating again what we built."""
    from nbformat.v4.nbjson import writes

    return writes(nb) + "\n"
