"""Export every grade from the nbgrader gradebook: a tidy CSV and an HTML report.

:func:`export_grades` reads the gradebook through nbgrader's own database model
(:mod:`nbgrader.api`) and writes one row per student and assignment, with every
graded cell's score, and a self-contained HTML page with, per assignment, the
distribution of total scores, the pass rate and mean score of each part, and a
table of every student.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbgrader.api import (
    Assignment,
    Grade,
    Gradebook,
    GradeCell,
    SubmittedAssignment,
    SubmittedNotebook,
)
from sqlalchemy import create_engine, inspect, make_url, text

from course_lib.grading._text import csv_cell, printable

__all__ = ["BASE_COLUMNS", "export_grades"]

logger = logging.getLogger(__name__)

#: The columns of :func:`export_grades`'s table; one column per graded cell sits
#: between ``submitted`` and ``total_score``.
BASE_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "email",
    "lms_user_id",
    "assignment",
    "submitted",
    "timestamp",
    "late",
    "total_score",
    "late_penalty",
    "score",
    "max_score",
    "needs_manual_grade",
)
#: The columns before the per-cell ones.
_LEADING = BASE_COLUMNS[: BASE_COLUMNS.index("late") + 1]

_PERSON = ("first_name", "last_name", "email", "lms_user_id")
_SUBMISSION_COLUMNS = ["student_id", "assignment", "timestamp", "extension"]

# A score within this of the maximum counts as full marks (scores are floats).
_FULL_MARKS_TOL = 1e-9


def _db_url(db_url: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL; a plain path means an SQLite file."""
    text = os.fspath(db_url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).resolve()}"


def _check_gradebook(db_url: str, course_id: str) -> bool:
    """Fail clearly before nbgrader would create or alter a database.

    Returns False for a database without any table (nothing to export).
    """
    url = make_url(db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
        if not Path(database).is_file():
            raise FileNotFoundError(
                f"db_url must point to an existing nbgrader gradebook; got "
                f"{database!r}, which does not exist: run nbgrader from the course "
                "directory first, or pass the right path"
            )
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if not tables:
            return False
        missing = {"assignment", "course", "grade", "student"} - tables
        if missing:
            raise ValueError(
                "db_url must point to an nbgrader gradebook; got "
                f"{url.render_as_string(hide_password=True)!r}, which has no "
                f"{', '.join(sorted(missing))} table"
            )
        with engine.connect() as conn:
            courses = [row[0] for row in conn.execute(text("SELECT id FROM course"))]
    finally:
        engine.dispose()
    if courses and course_id not in courses:
        raise ValueError(
            f"course_id must be a course of the gradebook ({', '.join(courses)}); "
            f"got {course_id!r}"
        )
    return True


def _read_gradebook(
    db_url: str, course_id: str, assignment: str | None
) -> tuple[list[str], pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Assignments, students, cells, grades and submissions, as plain data."""
    with Gradebook(db_url, course_id=course_id) as gb:
        assignments = [a for a in gb.assignments if a.course_id == course_id]
        if assignment is not None:
            names = [a.name for a in assignments]
            if assignment not in names:
                raise ValueError(
                    f"assignment must be one of the gradebook's assignments "
                    f"({', '.join(names) or 'none yet'}); got {assignment!r}"
                )
            assignments = [a for a in assignments if a.name == assignment]
        people = pd.DataFrame(
            [
                (
                    s.id,
                    s.first_name or "",
                    s.last_name or "",
                    s.email or "",
                    s.lms_user_id or "",
                )
                for s in gb.students
            ],
            columns=["student_id", *_PERSON],
        )

        cells = []
        for a in assignments:
            for nb in a.notebooks:
                solutions = {c.name for c in nb.solution_cells}
                for cell in [*nb.grade_cells, *nb.task_cells]:
                    cells.append(
                        {
                            "cell_id": cell.id,
                            "assignment": a.name,
                            "notebook": nb.name,
                            "cell": cell.name,
                            "max": float(cell.max_score),
                            # An autograder test: a code grade cell that is not
                            # also an answer graded by hand.
                            "autograded": isinstance(cell, GradeCell)
                            and cell.cell_type == "code"
                            and cell.name not in solutions,
                        }
                    )
        names = [a.name for a in assignments]
        grades = (
            gb.db.query(
                SubmittedAssignment.student_id,
                Assignment.name,
                Grade.cell_id,
                Grade.score,
                Grade.needs_manual_grade,
            )
            .select_from(SubmittedAssignment)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .join(
                SubmittedNotebook,
                SubmittedNotebook.assignment_id == SubmittedAssignment.id,
            )
            .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
            .filter(Assignment.name.in_(names))
            .all()
        )
        submissions = (
            gb.db.query(
                SubmittedAssignment.student_id,
                Assignment.name,
                SubmittedAssignment.timestamp,
                SubmittedAssignment.extension,
            )
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .filter(Assignment.name.in_(names))
            .all()
        )
    cells_df = pd.DataFrame(
        cells,
        columns=["cell_id", "assignment", "notebook", "cell", "max", "autograded"],
    )
    grades_df = pd.DataFrame(
        [tuple(row) for row in grades],
        columns=["student_id", "assignment", "cell_id", "score", "needs_manual"],
    )
    submissions_df = pd.DataFrame(
        [tuple(row) for row in submissions], columns=_SUBMISSION_COLUMNS
    )
    return names, people, cells_df, grades_df, submissions_df


def _empty() -> tuple[
    list[str], pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame
]:
    """What :func:`_read_gradebook` returns for a database with no table."""
    cells = pd.DataFrame(
        columns=["cell_id", "assignment", "notebook", "cell", "max", "autograded"]
    )
    grades = pd.DataFrame(
        columns=["student_id", "assignment", "cell_id", "score", "needs_manual"]
    )
    people = pd.DataFrame(columns=["student_id", *_PERSON])
    return [], people, cells, grades, pd.DataFrame(columns=_SUBMISSION_COLUMNS)


def _column_names(cells: pd.DataFrame) -> pd.Series:
    """One table column per cell: its grade id, or notebook/grade id if needed."""
    clash = cells.duplicated(["assignment", "cell"], keep=False) | cells["cell"].isin(
        BASE_COLUMNS
    )
    return cells["cell"].where(~clash, cells["notebook"] + "/" + cells["cell"])


def _grades_table(
    names: list[str],
    people: pd.DataFrame,
    cells: pd.DataFrame,
    grades: pd.DataFrame,
    submissions: pd.DataFrame,
    late_of: Any = None,
) -> pd.DataFrame:
    """One row per (student, assignment), one column per graded cell.

    ``late_of(assignment, student, timestamp, extension)`` gives a submission's
    :class:`~course_lib.grading.late.Lateness` and the fraction of its score
    it loses (None: nothing is late).
    """
    students = sorted(people["student_id"])
    index = pd.MultiIndex.from_product(
        [names, students], names=["assignment", "student_id"]
    )
    columns = list(dict.fromkeys(cells["column"]))
    wide = (
        grades.pivot_table(
            index=["assignment", "student_id"],
            columns="column",
            values="score",
            aggfunc="sum",
        )
        if len(grades)
        else pd.DataFrame(index=index)
    )
    table = wide.reindex(index=index, columns=columns).astype(float)
    # A cell of a row's own assignment without a grade scores 0 (no submission);
    # cells of other assignments stay empty.
    belongs = (
        pd.crosstab(cells["assignment"], cells["column"])
        .gt(0)
        .reindex(index=names, columns=columns, fill_value=False)
    )
    own = belongs.reindex(index.get_level_values("assignment")).to_numpy(dtype=bool)
    table = table.mask(own & table.isna().to_numpy(dtype=bool), 0.0)

    by_key = {
        (row.assignment, row.student_id): row
        for row in submissions.itertuples(index=False)
    }
    manual = grades.groupby(["assignment", "student_id"])["needs_manual"].any()
    max_scores = cells.groupby("assignment")["max"].sum()
    total = table[columns].sum(axis=1)
    late, penalty, stamps = [], [], []
    for (name, student), raw in zip(index, total, strict=True):
        row = by_key.get((name, student))
        stamp = getattr(row, "timestamp", None)
        stamps.append(_iso(stamp))
        if row is None or late_of is None:
            late.append(False)
            penalty.append(0.0)
            continue
        lateness, fraction = late_of(name, student, stamp, row.extension)
        late.append(bool(lateness.late))
        penalty.append(round(float(raw) * fraction, 4))
    table.insert(0, "submitted", index.isin(list(by_key)))
    table.insert(1, "timestamp", stamps)
    table.insert(2, "late", late)
    table["total_score"] = total
    table["late_penalty"] = penalty
    table["score"] = (table["total_score"] - table["late_penalty"]).clip(lower=0.0)
    assignment_level = index.get_level_values("assignment")
    table["max_score"] = max_scores.reindex(assignment_level).fillna(0.0).to_numpy()
    table["needs_manual_grade"] = (
        manual.reindex(index).fillna(False).astype(bool).to_numpy()
    )
    table = table.reset_index()
    table = table.merge(people, on="student_id", how="left")
    for column in _PERSON:
        table[column] = table[column].fillna("").astype(str)
    rest = [c for c in table.columns if c not in _LEADING]
    table = table[[*_LEADING, *rest]]
    table.columns.name = None
    return table


def _iso(value: Any) -> str:
    """A gradebook time (naive UTC) as ISO 8601, or ``""``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.isoformat()


def _png(fig: Figure) -> str:
    """The figure as an ``<img>`` tag holding a base64 PNG."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = html.escape(fig.get_label(), quote=True)
    return f'<img alt="{alt}" src="data:image/png;base64,{data}">'


def _histogram(totals: np.ndarray, max_score: float, title: str) -> str:
    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    fig.set_label(title)
    ax = fig.add_subplot()
    upper = max(max_score, float(totals.max(initial=0.0)))
    if upper <= 20:
        edges = np.arange(-0.5, np.ceil(upper) + 1.0)  # one bar per whole point
    else:
        edges = np.linspace(0.0, upper, 21)
    ax.hist(totals, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"total score (out of {max_score:g})")
    ax.set_ylabel("submissions")
    ax.set_title(title)
    return _png(fig)


def _bars(labels: list[str], values: np.ndarray, xlabel: str, title: str) -> str:
    fig = Figure(figsize=(6.4, 0.6 + 0.4 * max(len(labels), 1)), layout="constrained")
    fig.set_label(title)
    ax = fig.add_subplot()
    positions = np.arange(len(labels))
    bars = ax.barh(positions, values, color="#55a868")
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlim(0.0, max(1.0, float(np.nanmax(values, initial=0.0))) * 1.12)
    ax.bar_label(bars, labels=[f"{v:.0%}" for v in values], padding=3)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _png(fig)


def _cell_text(value: object) -> str:
    """A table cell's text: printable (no control characters), then escaped."""
    return html.escape(printable(value, None))


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_cell_text(c)}</th>" for c in frame.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell_text(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    )


def _fmt(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.2f}"


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


def _assignment_section(
    name: str, table: pd.DataFrame, cells: pd.DataFrame, grades: pd.DataFrame
) -> str:
    esc = html.escape
    rows = table[table["assignment"] == name]
    done = rows[rows["submitted"]]
    own_cells = cells[cells["assignment"] == name]
    max_score = float(own_cells["max"].sum())
    parts = [f"<section>\n<h2>{esc(name)}</h2>"]
    summary = pd.DataFrame(
        {
            "students": [len(rows)],
            "submitted": [len(done)],
            "missing": [len(rows) - len(done)],
            "mean": [_fmt(done["total_score"].mean())],
            "median": [_fmt(done["total_score"].median())],
            "max score": [f"{max_score:g}"],
            "needing manual grading": [int(done["needs_manual_grade"].sum())],
        }
    )
    parts.append(_html_table(summary))
    if done.empty:
        parts.append("<p>No submissions for this assignment yet.</p>")
    else:
        parts.append(
            "<p>Mean, median and plots are over submitted work only; students "
            "without a submission count 0 in the CSV.</p>"
        )
        parts.append(
            _histogram(
                done["total_score"].to_numpy(dtype=float),
                max_score,
                f"{name}: total scores",
            )
        )
        own = grades[grades["assignment"] == name].merge(
            own_cells[["cell_id", "max", "autograded"]], on="cell_id"
        )
        per_part = own_cells[["column", "max", "autograded"]].set_index("column")
        full = own["score"] >= own["max"] - _FULL_MARKS_TOL
        per_part["pass rate"] = full.groupby(own["column"]).mean()
        graded = own[~own["needs_manual"] & (own["max"] > 0)]
        fraction = graded["score"] / graded["max"]
        per_part["mean fraction"] = fraction.groupby(graded["column"]).mean()
        per_part["graded"] = graded.groupby("column").size()
        per_part["graded"] = per_part["graded"].fillna(0).astype(int)

        auto = per_part[per_part["autograded"]]
        if auto.empty:
            parts.append("<p>No autograded parts.</p>")
        else:
            parts.append(
                _bars(
                    list(auto.index),
                    auto["pass rate"].to_numpy(dtype=float),
                    "fraction of submissions with full marks",
                    f"{name}: pass rate per autograded part",
                )
            )
        scored = per_part.dropna(subset=["mean fraction"])
        if scored.empty:
            parts.append("<p>No part has been graded yet.</p>")
        else:
            parts.append(
                _bars(
                    list(scored.index),
                    scored["mean fraction"].to_numpy(dtype=float),
                    "mean score as a fraction of the part's maximum",
                    f"{name}: mean score per part",
                )
            )
        parts.append(
            "<p>Mean score per part leaves out answers still waiting for a "
            "manual grade.</p>"
        )
        shown = pd.DataFrame(
            {
                "part": per_part.index,
                "max": [f"{m:g}" for m in per_part["max"]],
                "autograded": np.where(per_part["autograded"], "yes", "no"),
                "pass rate": [
                    _pct(p) if a else "–"
                    for p, a in zip(
                        per_part["pass rate"], per_part["autograded"], strict=True
                    )
                ],
                "mean fraction": [_pct(v) for v in per_part["mean fraction"]],
                "graded": per_part["graded"].to_numpy(),
            }
        )
        parts.append("<h3>Parts</h3>")
        parts.append(_html_table(shown))
    if len(rows):
        students = pd.DataFrame(
            {
                "student": rows["student_id"].to_numpy(),
                "submitted": np.where(rows["submitted"], "yes", "no"),
                "total": [f"{v:g}" for v in rows["total_score"]],
                "max": [f"{v:g}" for v in rows["max_score"]],
                "needs manual grade": np.where(rows["needs_manual_grade"], "yes", ""),
            }
        )
        parts.append("<h3>Students</h3>")
        parts.append(_html_table(students))
    parts.append("</section>")
    return "\n".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em;
       padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
th { background: #f0f0f0; }
img { display: block; max-width: 100%; margin: 0.5em 0; }
section { border-top: 2px solid #ddd; margin-top: 2em; }
"""


def _html_page(
    course_id: str, source: str, names: list[str], body: list[str], message: str
) -> str:
    esc = html.escape
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Grades: {esc(course_id)}</title>\n<style>{_STYLE}</style>\n"
        "</head>\n<body>\n"
        f"<h1>Grades: {esc(course_id)}</h1>\n"
        f"<p>From {esc(source)}, {esc(now)}. Assignments: "
        f"{esc(', '.join(names)) or 'none'}.</p>\n"
    )
    if message:
        head += f"<p><strong>{esc(message)}</strong></p>\n"
    return head + "\n".join(body) + "\n</body>\n</html>\n"


def _late_rule(course: Any, names: list[str]) -> Any:
    """``late_of`` for :func:`_grades_table`, from the course's due dates and policy."""
    from course_lib.grading.collect import read_facts
    from course_lib.grading.late import Lateness

    facts = {name: read_facts(course.root, name) for name in names}
    policy = course.late_policy

    def late_of(name: str, student: str, stamp: Any, extension: Any) -> Any:
        due = course.due_dates.get(name)
        if due is not None and extension is not None and not pd.isna(extension):
            due = due + pd.Timedelta(extension).to_pytimedelta()
        when = None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp)
        flagged = bool(facts[name].get(student, {}).get("late"))
        lateness = Lateness.find(
            due,
            None if when is None else when.to_pydatetime(),
            flagged,
            policy,
        )
        return lateness, policy.fraction(lateness)

    return late_of


def export_grades(
    db_url: str | os.PathLike[str],
    *,
    course_id: str = "data-ethics",
    csv_path: str | os.PathLike[str] | None = "grades.csv",
    html_path: str | os.PathLike[str] | None = "grades_report.html",
    assignment: str | None = None,
    course: Any = None,
) -> pd.DataFrame:
    """Write every grade of the gradebook as a tidy CSV and an HTML report.

    The table has one row per student and assignment: every student of the
    gradebook appears for every assignment, and a student who did not submit has
    ``submitted`` False and every score 0. Its columns are ``student_id``,
    the student's ``first_name``, ``last_name``, ``email`` and ``lms_user_id``
    (as ``course roster`` imported them), ``assignment``, ``submitted``,
    ``timestamp`` (the LMS's submission time, ISO 8601, if known), ``late``,
    one column per graded cell (named by its grade id, or ``notebook/grade
    id`` if two notebooks of an assignment share one) holding that cell's
    score (the manual score if set, else the automatic one, plus any extra
    credit; empty for the cells of other assignments), ``total_score`` (the
    raw score), ``late_penalty`` (points lost under the course's late policy),
    ``score`` (``total_score`` less the penalty, at least 0), ``max_score``
    and ``needs_manual_grade`` (any cell still waiting for a grader).

    The HTML page is self-contained (PNG plots inlined as base64, no script):
    per assignment, a summary (students, submitted, missing, mean and median
    total of submitted work, number needing manual grading), a histogram of the
    total scores, the pass rate of each autograded part (the fraction of
    submissions with full marks on it), the mean score of each part as a
    fraction of its maximum (answers still waiting for a manual grade left out),
    and a table of every student.

    Parameters
    ----------
    db_url : str or path-like
        The gradebook: an SQLAlchemy URL such as ``"sqlite:///gradebook.db"``,
        or the path of an SQLite file.
    course_id : str, default "data-ethics"
        The nbgrader course id; only its assignments are exported.
    csv_path : str, path-like or None, default "grades.csv"
        Where to write the table; None writes no CSV.
    html_path : str, path-like or None, default "grades_report.html"
        Where to write the report; None writes no HTML.
    assignment : str, optional
        Export only this assignment.
    course : Course, optional
        The course (:class:`course_lib.grading.grade.Course`), whose due dates,
        late policy and collected LMS facts decide ``late`` and
        ``late_penalty``; without it nothing is late.

    Returns
    -------
    pandas.DataFrame
        The table written to ``csv_path``. It has no rows if the gradebook holds
        no assignment or no student yet (the report then says so).

    Raises
    ------
    FileNotFoundError
        If ``db_url`` names an SQLite file that does not exist.
    ValueError
        If ``db_url`` is a database but not an nbgrader gradebook, if the
        gradebook has courses but not ``course_id``, or if ``assignment`` is not
        one of its assignments.

    Examples
    --------
    >>> import os, sys, tempfile
    >>> from pathlib import Path
    >>> from nbgrader.api import Gradebook
    >>> old_path = os.environ["PATH"]  # nbgrader runs alembic to create a gradebook
    >>> os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old_path}"
    >>> folder = Path(tempfile.mkdtemp())
    >>> url = f"sqlite:///{folder / 'gradebook.db'}"
    >>> with Gradebook(url, course_id="data-ethics") as gb:
    ...     _ = gb.add_assignment("hw01")
    ...     _ = gb.add_notebook("hw01", "hw01")
    ...     _ = gb.add_grade_cell("test_f", "hw01", "hw01", max_score=2,
    ...                           cell_type="code")
    ...     for student, score in [("ada", 2.0), ("bo", 1.0), ("cy", None)]:
    ...         _ = gb.add_student(student)
    ...         if score is not None:
    ...             with gb.db.no_autoflush:  # else SQLAlchemy 2 warns
    ...                 _ = gb.add_submission("hw01", student)
    ...             grade = gb.find_grade("test_f", "hw01", "hw01", student)
    ...             grade.auto_score, grade.needs_manual_grade = score, False
    ...     gb.db.commit()
    >>> table = export_grades(url, csv_path=folder / "grades.csv",
    ...                       html_path=folder / "report.html")
    >>> print(table[["student_id", "submitted", "test_f", "score"]].to_string(index=False))
    student_id  submitted  test_f  score
           ada       True     2.0    2.0
            bo       True     1.0    1.0
            cy      False     0.0    0.0
    >>> (folder / "report.html").read_text().count("data:image/png;base64,")
    3
    >>> os.environ["PATH"] = old_path
    """
    url = _db_url(db_url)
    if _check_gradebook(url, course_id):
        names, people, cells, grades, submissions = _read_gradebook(
            url, course_id, assignment
        )
    else:
        if assignment is not None:
            raise ValueError(
                "assignment must be one of the gradebook's assignments (none yet); "
                f"got {assignment!r}"
            )
        names, people, cells, grades, submissions = _empty()
    cells["column"] = _column_names(cells)
    grades = grades.merge(cells[["cell_id", "column"]], on="cell_id", how="inner")
    late_of = _late_rule(course, names) if course is not None else None
    table = _grades_table(names, people, cells, grades, submissions, late_of)
    students = list(people["student_id"])

    source = make_url(url).render_as_string(hide_password=True)
    message = ""
    if not names:
        message = (
            f"The gradebook holds no assignment of course {course_id!r} yet: run "
            "nbgrader generate_assignment and nbgrader autograde first."
        )
    elif not students:
        message = "The gradebook holds no student yet: run nbgrader autograde first."
    if message:
        logger.warning("%s (%s)", message, source)

    if csv_path is not None:
        # No cell may start a spreadsheet formula (a gradebook made by stock
        # nbgrader can hold any student id).
        safe = table.copy()
        for column in safe.columns:
            if safe[column].dtype == object or pd.api.types.is_string_dtype(
                safe[column]
            ):
                safe[column] = safe[column].map(csv_cell)
        safe.columns = [csv_cell(str(c)) for c in safe.columns]
        safe.to_csv(csv_path, index=False)
    if html_path is not None:
        body = [_assignment_section(name, table, cells, grades) for name in names]
        page = _html_page(course_id, source, names, body, message)
        Path(html_path).write_text(page, encoding="utf-8")
    return table
