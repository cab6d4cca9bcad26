"""Export every grade from the nbgrader gradebook: a tidy CSV and an HTML report.

:func:`export_grades` reads the gradebook through nbgrader's own database model
(:mod:`nbgrader.api`) and writes one row per student and assignment, with every
graded cell's score, and a self-contained HTML page with, per assignment, the
distribution of total scores, the pass rate and mean score of each part, a
table of every student, and what finds who needs help: every student's points
per part, why autograded parts failed (the hints and errors of each graded
submission's ledger, counted), who has not been collected, who is late and what
it costs, and the answers waiting for a hand grade, each linked into
formgrader beside its rubric.

The report is for the instructor only: it quotes the model answers of the
source notebooks. It is git-ignored and must never be shared with students nor
copied into feedback. Everything from the gradebook, a ledger or a notebook is
hostile text, escaped; the page has no script and loads nothing.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

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

from course_tools.grading._text import csv_cell, first_line, printable

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
#: The grades frame: one row per graded cell of a submission, with the id of
#: nbgrader's SubmittedNotebook it belongs to (formgrader's submission page).
_GRADE_COLUMNS = (
    "student_id",
    "assignment",
    "cell_id",
    "score",
    "needs_manual",
    "submitted_notebook_id",
)

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
                SubmittedNotebook.id,
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
        [tuple(row) for row in grades], columns=list(_GRADE_COLUMNS)
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
    grades = pd.DataFrame(columns=list(_GRADE_COLUMNS))
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
    :class:`~course_tools.grading.late.Lateness` and the fraction of its score
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


def _html_table(frame: pd.DataFrame, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    head = "".join(f"<th>{_cell_text(c)}</th>" for c in frame.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell_text(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return (
        f"<table{attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
        "</table>"
    )


def _fmt(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.2f}"


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


def _bars_or_note(
    per_part: pd.DataFrame, column: str, empty: str, xlabel: str, title: str
) -> str:
    """A bar per part of ``per_part[column]``, or the note ``empty`` if no part."""
    if per_part.empty:
        return f"<p>{empty}</p>"
    return _bars(
        list(per_part.index), per_part[column].to_numpy(dtype=float), xlabel, title
    )


def _part_plots_and_table(
    name: str, own_cells: pd.DataFrame, grades: pd.DataFrame
) -> list[str]:
    """The per-part plots and table of an assignment with submissions."""
    parts: list[str] = []
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

    parts.append(
        _bars_or_note(
            per_part[per_part["autograded"]],
            "pass rate",
            "No autograded parts.",
            "fraction of submissions with full marks",
            f"{name}: pass rate per autograded part",
        )
    )
    parts.append(
        _bars_or_note(
            per_part.dropna(subset=["mean fraction"]),
            "mean fraction",
            "No part has been graded yet.",
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
    return parts


def _students_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per student of the assignment: submitted, total, max, manual."""
    return pd.DataFrame(
        {
            "student": rows["student_id"].to_numpy(),
            "submitted": np.where(rows["submitted"], "yes", "no"),
            "total": [f"{v:g}" for v in rows["total_score"]],
            "max": [f"{v:g}" for v in rows["max_score"]],
            "needs manual grade": np.where(rows["needs_manual_grade"], "yes", ""),
        }
    )


def _assignment_section(
    name: str,
    table: pd.DataFrame,
    cells: pd.DataFrame,
    grades: pd.DataFrame,
    course: Any = None,
    lateness: dict[tuple[str, str], Any] | None = None,
    now: _dt.datetime | None = None,
) -> str:
    """One assignment's part of the report (see :func:`export_grades`).

    ``lateness`` maps (assignment, student) to the submission's
    :class:`~course_tools.grading.late.Lateness` and lost fraction, as the
    table's ``late_of`` found them; ``now`` (aware) decides whether the due
    date has passed.
    """
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
        parts.extend(_part_plots_and_table(name, own_cells, grades))
    if len(rows):
        parts.append("<h3>Students</h3>")
        parts.append(_html_table(_students_table(rows)))
    if len(rows):
        own_grades = grades[grades["assignment"] == name]
        flagged = own_grades[own_grades["needs_manual"].astype(bool)]
        waiting = set(zip(flagged["student_id"], flagged["column"], strict=True))
        now = now or _dt.datetime.now(_dt.UTC)
        parts.append(_by_part(rows, own_cells, waiting))
        parts.append(_failures(name, rows, own_cells, course))
        parts.append(_not_collected(name, rows, course, now))
        parts.append(_late(name, rows, course, lateness or {}))
        parts.append(_hand_grading(name, rows, own_cells, own_grades, course))
    parts.append("</section>")
    return "\n".join(parts)


# --- who needs help -------------------------------------------------------------

#: Students named in one cell of a count before "and N more".
_WHO_LIMIT = 12
#: Longest hint, error or note shown (characters).
_MESSAGE_LIMIT = 300
#: Longest rubric shown (characters).
_RUBRIC_LIMIT = 6000
#: The regions of a source cell that hold its model answer or mark scheme.
_SOLUTION_MARKERS = (
    ("BEGIN SOLUTION", "END SOLUTION"),
    ("BEGIN MARK SCHEME", "END MARK SCHEME"),
)


def _points(value: float) -> str:
    return f"{round(float(value), 2):g}"


def _when(value: _dt.datetime) -> str:
    return value.astimezone(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span(delta: _dt.timedelta) -> str:
    """A time span in words: ``"2 days 3 hours"``, ``"5 minutes"``."""
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    words = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(words[:2]) or "under a minute"


def _who(students: list[str]) -> str:
    """Student ids as escaped text, the first :data:`_WHO_LIMIT` then a count."""
    shown = ", ".join(html.escape(printable(s, 80)) for s in students[:_WHO_LIMIT])
    more = len(students) - _WHO_LIMIT
    return shown + (f" … and {more} more" if more > 0 else "")


def _raw_table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table of cells already escaped (or built of escaped parts)."""
    attr = f' class="{cls}"' if cls else ""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f"<table{attr}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
        "</table>"
    )


def _is_component(name: object) -> bool:
    """Whether ``name`` can be one folder's name (no separator, not ``..``)."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not any(ch in name for ch in "/\\\0")
    )


def _person(row: dict[str, Any]) -> str:
    return f"{row['first_name']} {row['last_name']}".strip()


def _by_part(rows: pd.DataFrame, own_cells: pd.DataFrame, waiting: set) -> str:
    """One row per student, one column per graded part, then late, penalty, score."""
    columns = list(dict.fromkeys(own_cells["column"]))
    maxima = own_cells.groupby("column")["max"].sum()
    by_hand = set(own_cells.loc[~own_cells["autograded"].astype(bool), "column"])
    header = ["student", "name"]
    header += [f"{c} ({_points(maxima[c])})" for c in columns]
    header += ["late", "penalty", "score"]
    body = []
    for values in rows.to_dict("records"):
        student = values["student_id"]
        if not values["submitted"]:
            cells = ["–"] * len(columns) + ["", "", "–"]
        else:
            cells = []
            for c in columns:
                points = "–" if pd.isna(values[c]) else _points(values[c])
                if (student, c) in waiting:
                    points = "to grade" if c in by_hand else f"{points} (to check)"
                cells.append(points)
            cells += [
                "late" if values["late"] else "",
                _points(values["late_penalty"]) if values["late_penalty"] else "",
                f"{_points(values['score'])} / {_points(values['max_score'])}",
            ]
        body.append([student, _person(values), *cells])
    frame = pd.DataFrame(body, columns=header)
    return (
        "<h3>Student by part</h3>\n"
        '<p class="note">Points per part; – not submitted, "to grade" an answer '
        'waiting for a grader ("to check" an autograded score flagged for one). '
        "The score is after the late penalty.</p>\n"
        f'<div class="wide">{_html_table(frame, "compact")}</div>'
    )


def _items(value: Any) -> list[Any]:
    """A ledger's list, or no item if the ledger holds something else there."""
    return value if isinstance(value, list) else []


def _read_result(course: Any, name: str, student: str) -> dict[str, Any] | None:
    """The ``result`` of the student's ledger, or None if there is none to read."""
    from course_tools.grading.grade import read_ledger

    if not (_is_component(name) and _is_component(student)):
        return None
    ledger = read_ledger(course, name, student)
    result = ledger.get("result") if ledger else None
    return result if isinstance(result, dict) else None


@dataclass
class _FailureTally:
    """What the ledgers of one assignment's submissions say went wrong."""

    reasons: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    graded: dict[str, int] = field(default_factory=dict)
    problems: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)

    def problem(self, kind: str, text: object, student: str) -> None:
        message = printable(text, _MESSAGE_LIMIT)
        self.problems.setdefault((kind, message), []).append(student)

    def add(self, student: str, result: dict[str, Any] | None) -> None:
        """Count one student's ledger result (None: no readable ledger)."""
        if result is None:
            self.unread.append(student)
            return
        for part in _items(result.get("parts")):
            if isinstance(part, dict):
                self._add_part(student, part)
        if result.get("error"):
            self.problem("submission error", result["error"], student)
        errors = result.get("cell_errors")
        if isinstance(errors, dict):
            for cell, error in errors.items():
                if error:
                    self.problem("cell error", f"cell {cell}: {error}", student)
        for note in _items(result.get("notes")):
            self.problem("note", note, student)
        for skipped in _items(result.get("skipped_cells")):
            self.problem("skipped cell", skipped, student)

    def _add_part(self, student: str, part: dict[str, Any]) -> None:
        gid = printable(part.get("grade_id"), 100)
        self.graded[gid] = self.graded.get(gid, 0) + 1
        if part.get("passed") is True:
            return
        self.failed[gid] = self.failed.get(gid, 0) + 1
        hint = part.get("hint")
        reason = printable(hint, _MESSAGE_LIMIT) if hint else "wrong result"
        self.reasons.setdefault(gid, {}).setdefault(reason, []).append(student)

    def reason_rows(self, order: list[str]) -> list[list[str]]:
        """(part, reason, count, who) rows, parts in the release's order."""
        rank = {gid: i for i, gid in enumerate(order)}
        rows_out = []
        for gid in sorted(self.reasons, key=lambda g: (rank.get(g, len(rank)), g)):
            label = html.escape(
                f"{gid} (failed {self.failed[gid]} of {self.graded[gid]})"
            )
            for reason, students in sorted(
                self.reasons[gid].items(), key=lambda kv: (-len(kv[1]), kv[0])
            ):
                rows_out.append(
                    [label, html.escape(reason), str(len(students)), _who(students)]
                )
        return rows_out

    def problem_rows(self) -> list[list[str]]:
        """(kind, message, count, who) rows, the most frequent first."""
        listed = sorted(self.problems.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [
            [html.escape(kind), html.escape(msg), str(len(who)), _who(who)]
            for (kind, msg), who in listed
        ]


def _failures(
    name: str, rows: pd.DataFrame, own_cells: pd.DataFrame, course: Any
) -> str:
    """Counts of each failure reason per autograded part, and of other problems."""
    parts = ["<h3>Why parts failed</h3>"]
    if course is None:
        parts.append(
            "<p>The reasons come from the ledgers of <code>course grade</code> in the "
            "course directory; run <code>course grades</code> there to see them.</p>"
        )
        return "\n".join(parts)
    submitted = list(rows.loc[rows["submitted"], "student_id"])
    if not submitted:
        parts.append("<p>No submission yet.</p>")
        return "\n".join(parts)
    order = list(own_cells.loc[own_cells["autograded"].astype(bool), "cell"])
    tally = _FailureTally()
    for student in submitted:
        tally.add(student, _read_result(course, name, student))
    unread = tally.unread
    read = len(submitted) - len(unread)
    parts.append(
        f"<p>From the ledgers of {read} of {len(submitted)} submissions "
        f"(<code>autograded/&lt;student&gt;/{html.escape(name)}/.course-grade.json"
        "</code>). A failed part without a hint counts as “wrong result”.</p>"
    )
    if unread:
        parts.append(
            "<p>No readable ledger (not graded by <code>course grade</code>, or "
            f"the ledger is a link or unreadable): "
            f"{_who(unread)}.</p>"
        )
    rows_out = tally.reason_rows(order)
    if rows_out:
        parts.append(_raw_table(["part", "reason", "students", "who"], rows_out))
    elif read:
        parts.append("<p>No autograded part failed in the ledgers.</p>")
    if tally.problems:
        parts.append("<h4>Errors and notes on whole submissions</h4>")
        parts.append(
            _raw_table(["kind", "message", "students", "who"], tally.problem_rows())
        )
    return "\n".join(parts)


def _not_collected(
    name: str, rows: pd.DataFrame, course: Any, now: _dt.datetime
) -> str:
    """Students of the gradebook with no submission, and what the LMS exports give them."""
    parts = ["<h3>Not collected</h3>"]
    missing = rows[~rows["submitted"]]
    if course is None:
        parts.append(
            "<p>Without the course directory the due date is unknown. A roster "
            "student who submitted nothing scores 0 in the LMS exports once the "
            "due date has passed; before it the cell is left blank.</p>"
        )
    else:
        due = course.due_dates.get(name)
        grace = course.late_policy.grace
        if due is None:
            parts.append(
                f"<p>{html.escape(name)} has no due date (<code>c.Term.due_dates</code>): "
                "the LMS exports (<code>course grades --format</code>) score a roster "
                "student who submitted nothing 0 at once.</p>"
            )
        elif now > due + grace:
            parts.append(
                f"<p>Due {_when(due)}; passed {_span(now - due)} ago. The LMS exports "
                "(<code>course grades --format</code>) score a roster student who "
                "submitted nothing 0 (<code>--missing blank</code> leaves the cell "
                "blank).</p>"
            )
        else:
            parts.append(
                f"<p>Due {_when(due)}; not yet passed (in {_span(due + grace - now)}"
                f"{', with the grace' if grace else ''}). Until then the LMS exports "
                "leave the cell of a student who submitted nothing blank (“no grade "
                "yet”); after it they score 0.</p>"
            )
    if missing.empty:
        parts.append("<p>Every student of the gradebook has a submission.</p>")
        return "\n".join(parts)
    body = []
    for row in missing.to_dict("records"):
        student = row["student_id"]
        status = "no submission"
        if (
            course is not None
            and _is_component(name)
            and _is_component(student)
            and course.path("submitted", student, name).is_dir()
        ):
            status = "collected, not graded yet (run course grade)"
        body.append([student, _person(row), row["email"], status])
    parts.append(
        f"<p>{len(missing)} of {len(rows)} students of the gradebook (the roster "
        "imported with <code>course roster</code>) have no submission in it.</p>"
    )
    parts.append(
        _html_table(
            pd.DataFrame(body, columns=["student", "name", "email", "status"]),
            "compact",
        )
    )
    return "\n".join(parts)


def _late(
    name: str, rows: pd.DataFrame, course: Any, lateness: dict[tuple[str, str], Any]
) -> str:
    """Late submissions: how late, and the points the policy takes."""
    parts = ["<h3>Late</h3>"]
    if course is None:
        parts.append(
            "<p>Without the course directory (due dates and late policy in "
            "<code>nbgrader_config.py</code>) nothing counts as late.</p>"
        )
        return "\n".join(parts)
    due = course.due_dates.get(name)
    parts.append(
        f"<p>Due {_when(due) if due is not None else 'date not set'}; late policy: "
        f"{html.escape(course.late_policy.describe())}.</p>"
    )
    late = rows[rows["late"]]
    if late.empty:
        parts.append("<p>No submission is late.</p>")
        return "\n".join(parts)
    body = []
    for row in late.to_dict("records"):
        found = lateness.get((name, row["student_id"]))
        how = found[0].describe() if found is not None else "late"
        body.append(
            [
                row["student_id"],
                _person(row),
                row["timestamp"] or "unknown",
                how,
                _points(row["total_score"]),
                _points(row["late_penalty"]),
                _points(row["score"]),
            ]
        )
    header = ["student", "name", "submitted", "how late", "raw", "penalty", "score"]
    parts.append(_html_table(pd.DataFrame(body, columns=header), "compact"))
    return "\n".join(parts)


def _formgrader(course: Any) -> str | None:
    """The course's formgrader address, if it is a plain http(s) URL."""
    url = str(getattr(course, "formgrader_url", "") or "").rstrip("/")
    split = urlsplit(url)
    if (
        split.scheme.lower() not in ("http", "https")
        or not split.netloc
        or any(ch.isspace() or not ch.isprintable() for ch in url)
    ):
        return None
    return url


def _solution_text(source: str) -> str | None:
    """The text inside a cell's solution (or mark scheme) markers, or None."""
    lines = source.splitlines()
    for begin, end in _SOLUTION_MARKERS:
        regions: list[list[str]] = []
        inside = False
        for line in lines:
            if not inside and begin in line:
                inside = True
                regions.append([])
            elif inside and end in line:
                inside = False
            elif inside:
                regions[-1].append(line)
        if regions:
            return "\n\n".join("\n".join(r).strip("\n") for r in regions)
    return None


def _source_cells(course: Any, name: str, notebook: str) -> dict[str, str] | str:
    """Grade id -> source of each cell of the instructor's notebook, or why not."""
    from course_tools.grading.grade import MAX_NOTEBOOK_BYTES, read_regular

    if not (_is_component(name) and _is_component(notebook)):
        return "the source notebook's name is not a plain file name"
    path = course.path("source", name, f"{notebook}.ipynb")
    try:
        rel = path.relative_to(course.root)
    except ValueError:
        rel = path
    try:
        nb = json.loads(read_regular(path, MAX_NOTEBOOK_BYTES))
    except FileNotFoundError:
        return f"the source notebook {rel} is missing"
    except (OSError, ValueError, RecursionError) as error:
        return f"the source notebook {rel} cannot be read ({first_line(error, 160)})"
    cells = nb.get("cells") if isinstance(nb, dict) else None
    found = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata")
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(s) for s in source)
        if isinstance(gid, str) and isinstance(source, str):
            found[gid] = source
    return found


def _rubric(sources: dict[str, str] | str, cell: str) -> str:
    """The rubric of one answer as HTML: escaped preformatted text, or why none."""
    if isinstance(sources, str):
        return f'<p class="note">No rubric: {_cell_text(sources)}.</p>'
    if cell not in sources:
        return (
            f'<p class="note">No rubric: the source notebook has no cell '
            f"{html.escape(printable(cell, 100))}.</p>"
        )
    text = _solution_text(sources[cell])
    if not text or not text.strip():
        return (
            '<p class="note">No rubric: its source cell has no text between '
            "<code>### BEGIN SOLUTION</code> and <code>### END SOLUTION</code>.</p>"
        )
    shown = html.escape(printable(text, _RUBRIC_LIMIT, keep_newlines=True))
    return f'<pre class="rubric">{shown}</pre>'


def _hand_grading(
    name: str,
    rows: pd.DataFrame,
    own_cells: pd.DataFrame,
    own_grades: pd.DataFrame,
    course: Any,
) -> str:
    """Per hand-graded part, the answers waiting for a grade, with formgrader links."""
    parts = ["<h3>Needs hand grading</h3>"]
    waiting_all = own_grades[own_grades["needs_manual"].astype(bool)]
    autograded = own_cells["autograded"].astype(bool)
    # Every part graded by hand, and any autograded one flagged for a grader.
    by_hand = own_cells[~autograded | own_cells["cell_id"].isin(waiting_all["cell_id"])]
    if by_hand.empty:
        parts.append("<p>No part of this assignment is graded by hand.</p>")
        return "\n".join(parts)
    base = _formgrader(course) if course is not None else None
    if course is None:
        parts.append(
            "<p>Without the course directory there are no formgrader links and "
            "no rubrics.</p>"
        )
    else:
        parts.append(
            '<p class="note">Instructor only: the rubrics are the model answers of '
            "the source notebooks. Never share this report or copy them into "
            "feedback.</p>"
        )
        if base is None:
            parts.append(
                "<p>No formgrader links: <code>c.Term.formgrader_url</code> must be "
                f"an http(s) URL; got {_cell_text(printable(course.formgrader_url))}"
                ".</p>"
            )
    names = {r["student_id"]: _person(r) for r in rows.to_dict("records")}
    submitted = int(rows["submitted"].sum())
    for notebook, group in by_hand.groupby("notebook", sort=False):
        sources = _source_cells(course, name, notebook) if course is not None else ""
        if base is not None:
            href = (
                f"{base}/gradebook/{quote(name, safe='')}/{quote(notebook, safe='')}/"
            )
            parts.append(
                f'<p>Notebook {_cell_text(notebook)}: <a href="'
                f'{html.escape(href, quote=True)}">manual grading in formgrader</a>'
                "</p>"
            )
        for cell in group.itertuples(index=False):
            waiting = waiting_all[waiting_all["cell_id"] == cell.cell_id]
            waiting = waiting.sort_values("student_id")
            kind = "; autograded, flagged for a grader" if cell.autograded else ""
            parts.append(
                f"<h4>{_cell_text(cell.column)} ({_points(cell.max)} points{kind}): "
                f"{len(waiting)} of {submitted} submissions waiting</h4>"
            )
            if waiting.empty:
                continue
            items = []
            for student, sid in zip(
                waiting["student_id"], waiting["submitted_notebook_id"], strict=True
            ):
                label = html.escape(printable(student, 80))
                person = names.get(student, "")
                if person:
                    label += f" ({html.escape(printable(person, 80))})"
                if base is not None and sid is not None and not pd.isna(sid):
                    href = f"{base}/submissions/{quote(str(sid), safe='')}/"
                    label = f'<a href="{html.escape(href, quote=True)}">{label}</a>'
                items.append(f"<li>{label}</li>")
            answers = "<ul>\n" + "\n".join(items) + "\n</ul>"
            rubric = ""
            if course is not None and not cell.autograded:
                rubric = _rubric(sources, cell.cell)
            parts.append(
                f'<div class="manual">\n<div>{answers}</div>\n<div>{rubric}</div>\n</div>'
            )
    return "\n".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em;
       padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
th { background: #f0f0f0; }
img { display: block; max-width: 100%; margin: 0.5em 0; }
section { border-top: 2px solid #ddd; margin-top: 2em; }
table.compact { font-size: 0.85em; }
table.compact th, table.compact td { padding: 0.1em 0.4em; }
.wide { overflow-x: auto; }
.note { color: #555; }
.manual { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.manual > div { flex: 1 1 18em; min-width: 0; }
.manual ul { margin: 0; }
pre.rubric { white-space: pre-wrap; background: #f7f7f2; border: 1px solid #ddd;
             padding: 0.5em; margin: 0; font-size: 0.85em; }
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
    from course_tools.grading.collect import read_facts

    facts = {name: read_facts(course.root, name) for name in names}

    def late_of(name: str, student: str, stamp: Any, extension: Any) -> Any:
        # The gradebook's values come through pandas: NaT and NaN are "none".
        return course.late_policy.assess(
            course.due_dates.get(name),
            None
            if stamp is None or pd.isna(stamp)
            else pd.Timestamp(stamp).to_pydatetime(),
            bool(facts[name].get(student, {}).get("late")),
            None
            if extension is None or pd.isna(extension)
            else pd.Timedelta(extension).to_pytimedelta(),
        )

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

    The HTML page is self-contained (PNG plots inlined as base64, no script,
    nothing loaded from elsewhere; every name, id, hint and message escaped):
    per assignment, a summary (students, submitted, missing, mean and median
    total of submitted work, number needing manual grading), a histogram of the
    total scores, the pass rate of each autograded part (the fraction of
    submissions with full marks on it), the mean score of each part as a
    fraction of its maximum (answers still waiting for a manual grade left out),
    a table of every student, and:

    * **Student by part**: each student's points on each graded part ("–" if
      not submitted, "to grade" for an answer waiting for a grader), whether
      the submission is late, the penalty and the final score.
    * **Why parts failed**: for each autograded part, how many students failed
      it with each hint (a failed part without one counts as "wrong result"),
      most common first, with their ids; then the errors of whole submissions,
      the errors of cells and the notes (such as a notebook that lost its
      grading metadata). They come from each graded student's ledger,
      ``autograded/<student>/<assignment>/.course-grade.json`` (never read
      through a link), so they need ``course``.
    * **Not collected**: the students of the gradebook (the roster) without a
      submission, and the due date: once it has passed the LMS exports score
      them 0, before it they leave the cell blank. A submission already in
      ``submitted/`` but not yet graded is marked so.
    * **Late**: each late submission, how late, the late policy and the points
      it costs (needs ``course``; without it nothing is late).
    * **Needs hand grading**: per part graded by hand (and any autograded part
      flagged for a grader), the students whose answer waits, each a link to
      its page in formgrader (``course.formgrader_url``, http or https only),
      with a link to the notebook's manual-grading page and, beside them, the
      rubric: the text between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
      of that answer's cell in the source notebook. The report is therefore
      for the instructor only, never to be shared or put in feedback.

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
        The course (:class:`course_tools.grading.grade.Course`), whose due dates,
        late policy and collected LMS facts decide ``late`` and
        ``late_penalty``; without it nothing is late. The report also takes
        from it the ledgers, due dates, formgrader address and source notebooks
        of the sections above; without it those sections say what is missing.

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
    # Each submission's Lateness, as the table found it, for the report.
    lateness: dict[tuple[str, str], Any] = {}
    late_of = None
    if course is not None:
        rule = _late_rule(course, names)

        def late_of(name: str, student: str, stamp: Any, extension: Any) -> Any:
            lateness[(name, student)] = found = rule(name, student, stamp, extension)
            return found

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
        now = _dt.datetime.now(_dt.UTC)
        body = [
            _assignment_section(name, table, cells, grades, course, lateness, now)
            for name in names
        ]
        page = _html_page(course_id, source, names, body, message)
        Path(html_path).write_text(page, encoding="utf-8")
    return table
