"""The files Canvas and Moodle import: grades and bulk feedback, and Moodle's worksheet.

Grades go back as one wide CSV per LMS, one row per student, with the LMS's
own identifier columns, in the form each LMS's own gradebook export has (so
its import reads it as it is):

``canvas``
    Canvas's gradebook import (Grades > Import), as its gradebook export
    writes it: ``Student`` (the sortable name, "Last, First"), ``ID`` (the
    Canvas user id, which the import matches first), ``SIS User ID``,
    ``SIS Login ID``, ``Section``, then one column per homework, and a
    ``Points Possible`` row. A column is matched to a Canvas assignment by
    the id in its name, ``Homework 1 (48213)``, else by its title, else
    Canvas offers to create the assignment: set ``c.Term.lms_columns =
    {"canvas": {"hw01": "Homework 1 (48213)"}}`` to name existing ones.
``moodle``
    Moodle's gradebook import (Grades > Import > CSV file), as its plain-text
    export writes it: ``First name``, ``Last name``, ``Email address``, then
    ``Assignment: hw01 (Real)`` per homework, which the import maps to the
    grade item named ``Assignment: hw01`` by itself; map "Email address" to
    the users' "Email address". Set ``c.Term.lms_columns = {"moodle": {...}}``
    for other item names.
``nbgrader``
    The columns of ``nbgrader export``'s CSV (assignment, duedate, timestamp,
    student_id, last_name, first_name, email, raw_score,
    late_submission_penalty, score, max_score), one row per student and
    homework, quoted as CSV (stock nbgrader does not quote, so a name with a
    comma breaks its rows).

Scores are after the late penalty. A student of the roster who submitted
nothing scores 0 once the homework's due date (and grace) has passed, or at
once if it has none; before that the cell is left empty, which both LMSs read
as "no grade yet". ``missing="blank"`` always leaves it empty.

Feedback goes back as one zip per homework, in the form of each LMS's bulk
upload: Canvas's "Re-Upload Submissions" (each file named as Canvas named the
student's submission, ``<name>_<user id>_<file id>_...``, which Canvas
attaches to that submission as a comment), Moodle's "Upload multiple feedback
files in a zip" (``<Full Name>_<participant>_assignsubmission_file_/...``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from course_tools.grading._csvfile import read_csv_text
from course_tools.grading._text import csv_cell, printable

__all__ = [
    "FORMATS",
    "MAX_WORKSHEET_BYTES",
    "feedback_archive",
    "read_worksheet",
    "write_grades",
]

#: The grade files :func:`write_grades` writes.
FORMATS = ("canvas", "moodle", "nbgrader")

#: The largest grading worksheet read (bytes).
MAX_WORKSHEET_BYTES = 20 * 2**20

_CANVAS_HEAD = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
_MOODLE_HEAD = ["First name", "Last name", "Email address"]
_NBGRADER_HEAD = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
]
# Moodle's long date, as its worksheet writes it in English.
_MOODLE_TIMES = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p")


def _number(value: float) -> str:
    return f"{round(float(value), 2):g}"


def _due_passed(
    assignment: str,
    due_dates: Mapping[str, dt.datetime],
    grace: dt.timedelta,
    now: dt.datetime,
) -> bool:
    due = due_dates.get(assignment)
    return due is None or now > due + grace


def _cell(row: pd.Series, missing: str, passed: bool) -> str:
    """A student's grade as the LMS gets it: the score, 0, or empty."""
    if bool(row["submitted"]):
        return _number(row["score"])
    return "0" if missing == "zero" and passed else ""


def _text(value: Any) -> str:
    """A name or id as a CSV cell: printable, never a spreadsheet formula."""
    return csv_cell(printable(value, 300))


def write_grades(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    fmt: str,
    *,
    columns: Mapping[str, str] | None = None,
    due_dates: Mapping[str, dt.datetime] | None = None,
    grace: dt.timedelta = dt.timedelta(0),
    missing: str = "zero",
    now: dt.datetime | None = None,
) -> list[str]:
    """Write the grades of ``table`` as the LMS ``fmt`` imports them.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~course_tools.grading.report.export_grades`'s table: one row per
        student and homework.
    path : str or path-like
        The CSV to write (UTF-8, with a byte-order mark for ``canvas`` and
        ``moodle``, which both accept it and which spreadsheets need to read
        accented names).
    fmt : {"canvas", "moodle", "nbgrader"}
        The form of the file (see the module's description).
    columns : mapping, optional
        Homework id to the column name the LMS knows it by.
    due_dates : mapping, optional
        Homework id to due date (aware), for the rule on missing work.
    grace : datetime.timedelta, default zero
        Grace after the due date.
    missing : {"zero", "blank"}, default "zero"
        What a roster student who submitted nothing gets once the due date
        has passed.
    now : datetime, optional
        The time the rule is applied at (default: now).

    Returns
    -------
    list of str
        One line per student or homework left out, and why (a ``canvas`` row
        needs the Canvas user id, a ``moodle`` row the email; a homework
        nothing was collected for has no column).

    Raises
    ------
    ValueError
        If ``fmt`` or ``missing`` is not one of the values above.

    Examples
    --------
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> table = pd.DataFrame({
    ...     "student_id": ["jsmith", "zoe"], "first_name": ["Jane", "Zoë"],
    ...     "last_name": ["Smith", "Ångström"], "email": ["j@x.edu", "z@x.edu"],
    ...     "lms_user_id": ["101", "102"], "assignment": ["hw01", "hw01"],
    ...     "submitted": [True, False], "timestamp": ["", ""], "late": [False, False],
    ...     "total_score": [10.0, 0.0], "late_penalty": [0.0, 0.0],
    ...     "score": [10.0, 0.0], "max_score": [12.0, 12.0]})
    >>> out = Path(tempfile.mkdtemp()) / "canvas.csv"
    >>> write_grades(table, out, "canvas")
    []
    >>> print(out.read_text(encoding="utf-8-sig"), end="")
    Student,ID,SIS User ID,SIS Login ID,Section,hw01
        Points Possible,,,,,12
    "Smith, Jane",101,,,,10
    "Ångström, Zoë",102,,,,0
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if missing not in ("zero", "blank"):
        raise ValueError(f"missing must be 'zero' or 'blank'; got {missing!r}")
    due_dates = due_dates or {}
    columns = columns or {}
    now = now or dt.datetime.now(dt.UTC)
    names = sorted(set(table["assignment"])) if len(table) else []
    left_out: list[str] = []
    if fmt != "nbgrader":
        # A homework nothing was collected for is not sent: its column would
        # give every student 0 (or create the assignment in Canvas).
        collected = table.groupby("assignment")["submitted"].any()
        for name in [n for n in names if not collected[n]]:
            left_out.append(
                f"{printable(name, 130)}: nothing collected yet; its column is left out"
            )
        names = [n for n in names if collected[n]]
    passed = {a: _due_passed(a, due_dates, grace, now) for a in names}
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, lineterminator="\n")
    if fmt == "nbgrader":
        out.writerow(_NBGRADER_HEAD)
        for row in table.sort_values(["assignment", "student_id"]).itertuples():
            due = due_dates.get(row.assignment)
            out.writerow(
                [
                    _text(row.assignment),
                    "" if due is None else due.isoformat(),
                    row.timestamp,
                    _text(row.student_id),
                    _text(row.last_name),
                    _text(row.first_name),
                    _text(row.email),
                    _number(row.total_score),
                    _number(row.late_penalty),
                    _number(row.score),
                    _number(row.max_score),
                ]
            )
    else:
        default = "{}" if fmt == "canvas" else "Assignment: {} (Real)"
        heads = [columns.get(a) or default.format(a) for a in names]
        wide = {
            student: rows.set_index("assignment")
            for student, rows in table.groupby("student_id", sort=True)
        }
        if fmt == "canvas":
            out.writerow([*_CANVAS_HEAD, *heads])
            maxima = table.groupby("assignment")["max_score"].max()
            out.writerow(
                [
                    "    Points Possible",
                    "",
                    "",
                    "",
                    "",
                    *(_number(maxima[a]) for a in names),
                ]
            )
        else:
            out.writerow([*_MOODLE_HEAD, *heads])
        for student, rows in wide.items():
            first = rows.iloc[0]
            key = first["lms_user_id"] if fmt == "canvas" else first["email"]
            if not key:
                what = "Canvas user id" if fmt == "canvas" else "email"
                left_out.append(
                    f"{printable(student, 130)}: no {what} in the gradebook (import "
                    "the class list with `course roster`); left out"
                )
                continue
            grades = [_cell(rows.loc[a], missing, passed[a]) for a in names]
            if fmt == "canvas":
                sortable = ", ".join(
                    part for part in (first["last_name"], first["first_name"]) if part
                )
                out.writerow(
                    [
                        _text(sortable or student),
                        _text(key),
                        "",
                        "",
                        "",
                        *grades,
                    ]
                )
            else:
                out.writerow(
                    [
                        _text(first["first_name"]),
                        _text(first["last_name"]),
                        # The key as it is: Moodle looks the user up by it exactly.
                        printable(key, 300),
                        *grades,
                    ]
                )
    text = buffer.getvalue()
    encoding = "utf-8" if fmt == "nbgrader" else "utf-8-sig"
    Path(path).write_text(text, encoding=encoding, newline="")
    return left_out


# --------------------------------------------------------------------------
# Moodle's grading worksheet
# --------------------------------------------------------------------------


def _moodle_time(text: str, timezone: str) -> dt.datetime | None:
    from course_tools.grading.late import parse_time

    spelled = " ".join(text.split())
    if not spelled or spelled == "-":
        return None
    for form in _MOODLE_TIMES:
        try:
            naive = dt.datetime.strptime(spelled, form)
        except ValueError:
            continue
        return parse_time(naive.isoformat(sep=" "), timezone)
    try:
        return parse_time(spelled, timezone)
    except ValueError:
        return None


def read_worksheet(
    path: str | os.PathLike[str], timezone: str = "UTC"
) -> dict[str, dict[str, Any]]:
    """Moodle's grading worksheet: who each participant number is, and when they submitted.

    Moodle files an assignment's submissions under participant numbers that
    it draws anew for every assignment; the assignment's grading worksheet
    (Submissions > Download grading worksheet) says whose each is.

    Parameters
    ----------
    path : str or path-like
        The worksheet (CSV, UTF-8), with the columns ``Identifier``
        ("Participant 123"), ``Full name``, ``Email address`` and ``Last
        modified (submission)``.
    timezone : str, default "UTC"
        The time zone of the worksheet's times (the downloader's in Moodle).

    Returns
    -------
    dict
        ``{participant number: {"full_name", "email", "submitted_at"}}``;
        ``submitted_at`` is an aware datetime or None.

    Raises
    ------
    ValueError
        If the file is not such a worksheet (with what to do).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> sheet = Path(tempfile.mkdtemp()) / "Grades-DE101-hw01-42.csv"
    >>> _ = sheet.write_text(
    ...     "Identifier,Full name,Email address,Status,Grade,Last modified (submission)\\n"
    ...     'Participant 901,Zoë Ångström,z@x.edu,Submitted,,"Monday, 25 January 2027, 11:59 PM"\\n',
    ...     encoding="utf-8")
    >>> row = read_worksheet(sheet)["901"]
    >>> row["email"], row["submitted_at"].isoformat()
    ('z@x.edu', '2027-01-25T23:59:00+00:00')
    """
    path = Path(path)
    try:
        text = read_csv_text(
            path,
            what="the worksheet",
            limit=MAX_WORKSHEET_BYTES,
            again="download the grading worksheet again",
        )
    except FileNotFoundError:
        raise ValueError(
            f"the worksheet must be an existing file; got {str(path)!r}: download it "
            "from the assignment's Submissions page (Download grading worksheet)"
        ) from None
    # One cell may be as long as the file (a long feedback comment).
    csv.field_size_limit(max(csv.field_size_limit(), MAX_WORKSHEET_BYTES))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValueError(
            f"the worksheet must be CSV; got a file it cannot read ({error}): "
            "download it again"
        ) from None
    fields = [f.strip() for f in (rows[0] if rows else [])]
    if "Identifier" not in fields:
        raise ValueError(
            "the worksheet must have an 'Identifier' column (Moodle's grading "
            f"worksheet); got columns {printable(', '.join(fields[:8]), 300)}"
        )
    email = next((f for f in fields if f.lower() in ("email address", "email")), None)
    sheet: dict[str, dict[str, Any]] = {}
    for cells in rows[1:]:
        row = dict(zip(fields, cells, strict=False))
        ident = (row.get("Identifier") or "").strip()
        number = re.search(r"(\d+)\s*$", ident)
        if number is None:
            continue
        sheet[number[1]] = {
            "full_name": unicodedata.normalize(
                "NFC", " ".join((row.get("Full name") or "").split())
            ),
            "email": (row.get(email) or "").strip() if email else "",
            "submitted_at": _moodle_time(
                row.get("Last modified (submission)") or "", timezone
            ),
        }
    return sheet


# --------------------------------------------------------------------------
# Bulk feedback
# --------------------------------------------------------------------------


def _entry_name(text: str) -> str:
    """A zip entry name part: no separators or control characters, at most 120 long."""
    cleaned = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if unicodedata.category(ch)[0] != "C" and ch not in '/\\:*?"<>|'
    )
    return cleaned.strip()[:120].strip() or "student"


def feedback_archive(
    pages: Mapping[str, Path],
    facts: Mapping[str, Mapping[str, Any]],
    path: str | os.PathLike[str],
    fmt: str,
    notebook: str,
) -> tuple[int, list[str]]:
    """Zip each student's feedback page as the LMS's bulk feedback upload wants it.

    Parameters
    ----------
    pages : mapping
        Student id to the feedback page to upload.
    facts : mapping
        What ``course collect`` recorded of each submission
        (:func:`~course_tools.grading.collect.read_facts`).
    path : str or path-like
        The zip to write.
    fmt : {"canvas", "moodle"}
        Canvas's "Re-Upload Submissions" or Moodle's "Upload multiple feedback
        files in a zip".
    notebook : str
        The homework's notebook name (without ``.ipynb``), for the file names.

    Returns
    -------
    tuple of (int, list of str)
        How many pages were zipped, and one line per student left out (not
        collected from this LMS's export, so the LMS would not know the file).

    Raises
    ------
    ValueError
        If ``fmt`` is neither ``"canvas"`` nor ``"moodle"``.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> page = folder / "hw01.html"
    >>> _ = page.write_text("<p>well done</p>")
    >>> facts = {"jsmith": {"layout": "canvas", "lms_name": "smithjane",
    ...                     "lms_user_id": "101", "submission_id": "5551"}}
    >>> feedback_archive({"jsmith": page}, facts, folder / "fb.zip", "canvas", "hw01")
    (1, [])
    >>> zipfile.ZipFile(folder / "fb.zip").namelist()
    ['smithjane_101_5551_feedback-hw01.html']
    """
    if fmt not in ("canvas", "moodle"):
        raise ValueError(f"fmt must be 'canvas' or 'moodle'; got {fmt!r}")
    count, left_out = 0, []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for student, page in sorted(pages.items()):
            info = facts.get(student) or {}
            if info.get("layout") != fmt:
                left_out.append(
                    f"{printable(student, 130)}: not collected from a {fmt.title()} "
                    "export, so it cannot be matched there; upload "
                    f"{printable(page, 300)} by hand"
                )
                continue
            if fmt == "canvas":
                slug = re.sub(r"\d+", "", _entry_name(info.get("lms_name", ""))) or "x"
                # The last "_" part must not start with "link" (Canvas takes
                # those for a link submission and ignores the file).
                name = (
                    f"{slug.replace('_', '')}_{info.get('lms_user_id')}_"
                    f"{info.get('submission_id')}_feedback-"
                    f"{_entry_name(notebook).replace('_', '-')}.html"
                )
            else:
                full = _entry_name(info.get("lms_name", "")).replace("_", " ")
                name = (
                    f"{full}_{info.get('participant')}_assignsubmission_file_/"
                    f"{notebook}-feedback.html"
                )
            zf.write(page, name)
            count += 1
    return count, left_out
