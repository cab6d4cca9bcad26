"""The files Canvas and Moodle import, read back by the rules of each LMS's own
importer: grade CSVs, Moodle's grading worksheet and bulk-feedback zips.

The checkers below re-implement what the importers do with a file (Canvas's
GradebookImporter and Assignment#infer_comment_context_from_filename, Moodle's
gradeimport_csv and assignfeedback_file's is_valid_filename_for_import), so a
test fails when a file would be misread by the LMS, not only when it differs
from an example.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from course_tools.grading import lms
from course_tools.grading._text import printable
from course_tools.grading.late import Lateness, LatePolicy
from course_tools.grading.lms import (
    FORMATS,
    feedback_archive,
    read_worksheet,
    write_grades,
)
from course_tools.grading.report import BASE_COLUMNS

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
PAST = NOW - dt.timedelta(days=7)
FUTURE = NOW + dt.timedelta(days=7)
BOM = "\ufeff".encode()
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NBGRADER_COLUMNS = [
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
POLICY = LatePolicy.parse("10% per day, at most 50%")
# Names as rosters hold them: accents, CJK, RTL, quotes, commas, a formula,
# control characters, nothing at all.
NAME_PARTS = [
    "Jane",
    "Smith",
    "Zoë",
    "Ångström",
    "王",
    "小明",
    "Nguyễn Thị",
    "Ольга",
    "علي",
    "O'Brien",
    'Jo "JJ"',
    "Smith, Jr.",
    "de la Cruz",
    "semi;colon",
    "comma,,",
    '=HYPERLINK("http://evil.invalid","x")',
    "+1-555",
    "-dash",
    "@cmd",
    "=1+1",
    "Line\nBreak",
    "tab\there",
    "cr\rhere",
    "x",
    "",
]
MOODLE_DAYS = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
]
MOODLE_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WORKSHEET_HEAD = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
]


# --------------------------------------------------------------------------
# The gradebook table write_grades takes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""


def _row(
    who: Student,
    assignment: str,
    total: float | None = None,
    *,
    max_score: float = 10.0,
    fraction: float = 0.0,
    timestamp: str = "",
) -> dict:
    """One student's row for one homework, as export_grades computes it
    (``total=None``: nothing submitted)."""
    submitted = total is not None
    raw = float(total or 0.0)
    penalty = round(raw * fraction, 4) if submitted else 0.0
    return {
        "student_id": who.student_id,
        "first_name": who.first_name,
        "last_name": who.last_name,
        "email": who.email,
        "lms_user_id": who.lms_user_id,
        "assignment": assignment,
        "submitted": submitted,
        "timestamp": timestamp if submitted else "",
        "late": submitted and fraction > 0,
        "total_score": raw,
        "late_penalty": penalty,
        "score": max(0.0, raw - penalty),
        "max_score": float(max_score),
        "needs_manual_grade": False,
    }


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(BASE_COLUMNS))


def _sortable(who: Student) -> str:
    """Canvas's "Last, First" as write_grades spells it."""
    return ", ".join(p for p in (who.last_name, who.first_name) if p) or who.student_id


def _as_cell(text: str) -> str:
    """A name as it must appear in a cell: printable, a formula made text."""
    shown = printable(text, 300)
    return "'" + shown if shown.startswith(FORMULA_START) else shown


@dataclass
class Class:
    students: list[Student]
    assignments: list[str]
    rows: list[dict] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        return _table(self.rows)

    def row(self, student: Student, assignment: str) -> dict:
        return next(
            r
            for r in self.rows
            if r["student_id"] == student.student_id and r["assignment"] == assignment
        )


def _random_class(
    rng: random.Random, assignments: list[str], size: int = 12, keys: float = 0.85
) -> Class:
    """Students with random names, some without a Canvas id or an email, and
    random scores, late penalties and missing work."""
    students = []
    uids = rng.sample(range(1, 10**7), size)
    for i, uid in enumerate(uids):
        students.append(
            Student(
                student_id=f"s{i:03d}",
                first_name=rng.choice(NAME_PARTS),
                last_name=rng.choice(NAME_PARTS),
                email=f"student{i}@uni.edu" if rng.random() < keys else "",
                lms_user_id=str(uid) if rng.random() < keys else "",
            )
        )
    made = Class(students, assignments)
    for assignment in assignments:
        top = rng.choice([10.0, 12.5, 100.0, 3.0])
        for who in students:
            if rng.random() < 0.2:
                made.rows.append(_row(who, assignment, max_score=top))
                continue
            total = round(rng.uniform(0, top), rng.choice([0, 1, 2, 3]))
            late_by = dt.timedelta(hours=rng.choice([0, 0, 5, 30, 200]))
            fraction = POLICY.fraction(Lateness.of(late_by, POLICY))
            made.rows.append(
                _row(
                    who,
                    assignment,
                    total,
                    max_score=top,
                    fraction=fraction,
                    timestamp=(PAST + late_by).isoformat(),
                )
            )
    rng.shuffle(made.rows)
    return made


def _assert_left_out(made, left_out: list[str], key: str, what: str) -> None:
    """Every student without ``key`` is reported, in order, naming ``what``."""
    dropped = [s for s in made.students if not getattr(s, key)]
    assert len(left_out) == len(dropped)
    for who, line in zip(dropped, left_out, strict=True):
        assert line.startswith(who.student_id + ":")
        assert what in line


def _expected_grade(row: dict, missing: str, passed: bool) -> float | None:
    """What the LMS should store: the score after the penalty, else 0 once the
    due date passed (missing="zero"), else no grade."""
    if row["submitted"]:
        return round(row["score"], 2)
    return 0.0 if missing == "zero" and passed else None


def _passed(due: dt.datetime | None, grace: dt.timedelta = dt.timedelta(0)) -> bool:
    return due is None or NOW > due + grace


# --------------------------------------------------------------------------
# Canvas's gradebook importer
# --------------------------------------------------------------------------

CANVAS_TITLE_AND_ID = re.compile(r"(.*)\s\((\d+)\)")
CANVAS_MUTED = re.compile(r"\s*(Muted|Manual Posting.*)?\s*", re.I)
CANVAS_NON_ASSIGNMENT = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|"
    "Final Grade|Override Score|Override Grade|Override Status"
)


@dataclass
class CanvasImport:
    #: column header -> (assignment title, Canvas assignment id or None)
    assignments: dict[str, tuple[str, str | None]]
    #: column header -> points possible
    points: dict[str, float]
    #: Canvas user id -> column header -> grade (None: no grade)
    grades: dict[int, dict[str, float | None]]
    #: Canvas user id -> the Student cell
    names: dict[int, str]
    rows: list[list[str]]


def _canvas_delimiter(lines: list[str]) -> str:
    """GradebookImporter#identify_delimiter over the first three lines."""
    counts = {}
    for sep in (";", ","):
        counts[sep] = 0
        try:
            sizes = [
                len(next(csv.reader([line], delimiter=sep, strict=True)))
                for line in lines
            ]
        except csv.Error:
            continue
        if len(set(sizes)) == 1:
            counts[sep] = sizes[0]
    return ";" if counts[";"] > counts[","] else ","


def _canvas_number(cell: str) -> float | None:
    """Canvas's decimal_comma_to_period converter, then the grade as a number."""
    text = cell
    if re.fullmatch(r"-?[0-9.,]+%?", text):
        parts = re.split(r"[,.]", text)
        last = parts.pop()
        text = last if not parts else "".join(parts) + "." + last
    text = text.strip()
    return None if text in ("", "-") else float(text)


def canvas_import(path: Path) -> CanvasImport:
    """Read a grades CSV as Canvas's Grades > Import does (asserting every rule)."""
    text = path.read_bytes().decode("utf-8")  # Ruby's CSV keeps a BOM
    assert _canvas_delimiter(text.splitlines(keepends=True)[:3]) == ","
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header = rows[0]
    assert len(header) > 3
    assert "Student" in header[0]
    assert "ID" in header[1]
    info = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        info += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(
        r"SIS\s+Login\s+ID", header[3]
    ):
        info += 2 + bool(re.search(r"Integration\s+ID", header[4]))
    assert "Section" in header[info - 1], "Canvas: Invalid header row"
    assignments = {}
    for head in header[info:]:
        if CANVAS_NON_ASSIGNMENT.search(head):
            continue
        match = CANVAS_TITLE_AND_ID.fullmatch(head)
        assignments[head] = (match[1], match[2]) if match else (head, None)
    column = {head: header.index(head) for head in assignments}
    points: dict[str, float] = {}
    grades: dict[int, dict[str, float | None]] = {}
    names: dict[int, str] = {}
    for row in rows[1:]:
        assert len(row) == len(header), row
        if "Points Possible" in row[0]:
            points = {h: _canvas_number(row[i]) for h, i in column.items()}
            continue
        if all(CANVAS_MUTED.fullmatch(cell) for cell in row if cell != ""):
            continue
        assert re.fullmatch(r"[0-9]+", row[1]), f"Canvas matches by ID: {row[1]!r}"
        uid = int(row[1])
        assert uid not in grades, f"two rows for Canvas user {uid}"
        grades[uid] = {h: _canvas_number(row[i]) for h, i in column.items()}
        names[uid] = row[0]
    return CanvasImport(assignments, points, grades, names, rows)


# --------------------------------------------------------------------------
# Moodle's gradebook CSV import
# --------------------------------------------------------------------------


@dataclass
class MoodleImport:
    #: column header -> grade item it maps to by itself
    items: dict[str, str]
    #: email -> grade item -> grade (None: no grade)
    grades: dict[str, dict[str, float | None]]
    #: email -> (first name cell, last name cell)
    names: dict[str, tuple[str, str]]
    rows: list[list[str]]


def moodle_import(path: Path) -> MoodleImport:
    """Read a grades CSV as Moodle's Grades > Import > CSV file does, with
    "Email address" mapped to the users' email address."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    header = [h.strip() for h in rows[0]]
    assert "Email address" in header
    email = header.index("Email address")
    items = {h: h[: h.index("(Real)")].strip() for h in header if "(Real)" in h}
    index = {h: header.index(h) for h in items}
    grades: dict[str, dict[str, float | None]] = {}
    names: dict[str, tuple[str, str]] = {}
    for row in rows[1:]:
        if len(row) <= 1:
            continue
        assert len(row) == len(header), row
        cells = [c.strip() for c in row]
        key = cells[email]
        # An empty or unknown user field aborts the whole import in Moodle.
        assert key, "Moodle: user mapping error, import aborted"
        assert key not in grades, f"two rows for {key}"
        grades[key] = {
            items[h]: None if cells[i] in ("", "-") else float(cells[i])
            for h, i in index.items()
        }
        names[key] = (
            cells[header.index("First name")],
            cells[header.index("Last name")],
        )
    return MoodleImport(items, grades, names, rows)


def nbgrader_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert not raw.startswith(BOM)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True)
    rows = list(reader)
    assert reader.fieldnames == NBGRADER_COLUMNS
    for row in rows:
        assert None not in row, "a field too many: a name broke its row"
        assert None not in row.values(), "a field too few"
    return rows


def _all_cells(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


# --------------------------------------------------------------------------
# write_grades: canvas
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_canvas_file_is_imported_as_the_gradebook_says(tmp_path, seed):
    rng = random.Random(seed)
    assignments = ["hw01", "hw02", "hw03", "project"][: rng.randint(1, 4)]
    made = _random_class(rng, assignments)
    due = {a: d for a in assignments if (d := rng.choice([PAST, FUTURE, None]))}
    missing = rng.choice(["zero", "blank"])
    out = tmp_path / "canvas.csv"

    left_out = write_grades(
        made.table, out, "canvas", due_dates=due, missing=missing, now=NOW
    )
    got = canvas_import(out)

    assert sorted(got.assignments) == sorted(assignments)
    assert all(got.assignments[a] == (a, None) for a in assignments)
    for a in assignments:
        top = max(r["max_score"] for r in made.rows if r["assignment"] == a)
        assert got.points[a] == top
    kept = [s for s in made.students if s.lms_user_id]
    assert sorted(got.grades) == sorted(int(s.lms_user_id) for s in kept)
    for who in kept:
        uid = int(who.lms_user_id)
        assert got.names[uid] == _as_cell(_sortable(who))
        for a in assignments:
            expected = _expected_grade(made.row(who, a), missing, _passed(due.get(a)))
            assert got.grades[uid][a] == (
                None if expected is None else pytest.approx(expected, abs=0.005)
            )
    _assert_left_out(made, left_out, "lms_user_id", "Canvas user id")
    # One physical line per row: no name can split a row.
    assert out.read_text(encoding="utf-8-sig").count("\n") == 2 + len(kept)


def test_canvas_scores_are_after_the_late_penalty(tmp_path):
    who = Student("jsmith", "Jane", "Smith", "j@x.edu", "101")
    late = POLICY.fraction(Lateness.of(dt.timedelta(hours=30), POLICY))
    assert late == pytest.approx(0.2)
    table = _table(
        [
            _row(who, "hw01", 10.0, fraction=late),
            _row(who, "hw02", 8.0, fraction=0.0),
            _row(who, "hw03", 9.0, fraction=POLICY.cap),
        ]
    )
    write_grades(table, tmp_path / "c.csv", "canvas", now=NOW)
    got = canvas_import(tmp_path / "c.csv")
    assert got.grades[101] == {"hw01": 8.0, "hw02": 8.0, "hw03": 4.5}


def test_canvas_header_and_points_possible_row_are_canvas_own(tmp_path):
    alice = Student("alice", "Alice", "Ng", "a@x.edu", "7")
    table = _table([_row(alice, "hw01", 3.0, max_score=12.5)])
    write_grades(table, tmp_path / "c.csv", "canvas", now=NOW)
    raw = (tmp_path / "c.csv").read_bytes()
    assert raw.startswith(BOM)
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,hw01"
    assert lines[1] == "    Points Possible,,,,,12.5"
    assert lines[2] == '"Ng, Alice",7,,,,3'


def test_canvas_several_homework_make_one_wide_row_per_student(tmp_path):
    students = [
        Student(f"s{i}", f"F{i}", f"L{i}", f"s{i}@x.edu", str(100 + i))
        for i in range(5)
    ]
    assignments = [f"hw{n:02d}" for n in range(1, 7)]
    rows = [
        _row(s, a, float(i + n))
        for n, a in enumerate(assignments)
        for i, s in enumerate(students)
    ]
    write_grades(_table(rows), tmp_path / "c.csv", "canvas", now=NOW)
    got = canvas_import(tmp_path / "c.csv")
    assert len(got.rows) == 2 + len(students)
    assert list(got.assignments) == assignments
    for i, s in enumerate(students):
        assert got.grades[int(s.lms_user_id)] == {
            a: float(i + n) for n, a in enumerate(assignments)
        }


def test_canvas_columns_are_matched_by_the_configured_id(tmp_path):
    who = Student("jsmith", "Jane", "Smith", "j@x.edu", "101")
    table = _table(
        [_row(who, "hw01", 7.0), _row(who, "hw02", 6.0), _row(who, "hw03", 5.0)]
    )
    columns = {"hw01": "Homework 1 (48213)", "hw03": "Data (ethics) (9)"}
    write_grades(table, tmp_path / "c.csv", "canvas", columns=columns, now=NOW)
    got = canvas_import(tmp_path / "c.csv")
    assert got.assignments == {
        "Homework 1 (48213)": ("Homework 1", "48213"),
        "hw02": ("hw02", None),
        "Data (ethics) (9)": ("Data (ethics)", "9"),
    }
    assert got.grades[101] == {
        "Homework 1 (48213)": 7.0,
        "hw02": 6.0,
        "Data (ethics) (9)": 5.0,
    }


# --------------------------------------------------------------------------
# write_grades: moodle
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_moodle_file_is_imported_as_the_gradebook_says(tmp_path, seed):
    rng = random.Random(100 + seed)
    assignments = ["hw01", "hw02", "hw03"][: rng.randint(1, 3)]
    made = _random_class(rng, assignments)
    due = {a: d for a in assignments if (d := rng.choice([PAST, FUTURE, None]))}
    missing = rng.choice(["zero", "blank"])
    out = tmp_path / "moodle.csv"

    left_out = write_grades(
        made.table, out, "moodle", due_dates=due, missing=missing, now=NOW
    )
    got = moodle_import(out)

    assert got.items == {
        f"Assignment: {a} (Real)": f"Assignment: {a}" for a in assignments
    }
    kept = [s for s in made.students if s.email]
    assert sorted(got.grades) == sorted(s.email for s in kept)
    for who in kept:
        assert got.names[who.email] == (
            _as_cell(who.first_name).strip(),
            _as_cell(who.last_name).strip(),
        )
        for a in assignments:
            expected = _expected_grade(made.row(who, a), missing, _passed(due.get(a)))
            grade = got.grades[who.email][f"Assignment: {a}"]
            assert grade == (
                None if expected is None else pytest.approx(expected, abs=0.005)
            )
    _assert_left_out(made, left_out, "email", "email")
    assert out.read_text(encoding="utf-8-sig").count("\n") == 1 + len(kept)


def test_moodle_header_is_moodle_own(tmp_path):
    who = Student("zoe", "Zoë", "Ångström", "z@x.edu", "")
    table = _table([_row(who, "hw01", 9.5)])
    write_grades(table, tmp_path / "m.csv", "moodle", now=NOW)
    raw = (tmp_path / "m.csv").read_bytes()
    assert raw.startswith(BOM)
    assert raw.decode("utf-8-sig").splitlines() == [
        "First name,Last name,Email address,Assignment: hw01 (Real)",
        "Zoë,Ångström,z@x.edu,9.5",
    ]


def test_moodle_columns_name_other_grade_items(tmp_path):
    who = Student("jsmith", "Jane", "Smith", "j@x.edu", "")
    table = _table([_row(who, "hw01", 7.0), _row(who, "hw02", 6.0)])
    columns = {"hw01": "Assignment: Homework 1 (Real)"}
    write_grades(table, tmp_path / "m.csv", "moodle", columns=columns, now=NOW)
    got = moodle_import(tmp_path / "m.csv")
    assert got.grades["j@x.edu"] == {
        "Assignment: Homework 1": 7.0,
        "Assignment: hw02": 6.0,
    }


@pytest.mark.parametrize("email", ["-dash@uni.edu", "+plus@uni.edu", "=eq@uni.edu"])
def test_moodle_email_key_round_trips_exactly(tmp_path, email):
    who = Student("odd", "Odd", "Address", email, "")
    write_grades(
        _table([_row(who, "hw01", 5.0)]), tmp_path / "m.csv", "moodle", now=NOW
    )
    assert moodle_import(tmp_path / "m.csv").grades == {
        email: {"Assignment: hw01": 5.0}
    }


# --------------------------------------------------------------------------
# write_grades: the rule on missing work, both LMSs
# --------------------------------------------------------------------------


def _import_one(path: Path, fmt: str, who: Student, assignment: str) -> float | None:
    if fmt == "canvas":
        return canvas_import(path).grades[int(who.lms_user_id)][assignment]
    return moodle_import(path).grades[who.email][f"Assignment: {assignment}"]


@pytest.mark.parametrize("fmt", ["canvas", "moodle"])
@pytest.mark.parametrize(
    ("due", "grace", "missing", "expected"),
    [
        (PAST, 0, "zero", 0.0),
        (FUTURE, 0, "zero", None),
        (PAST, 0, "blank", None),
        (FUTURE, 0, "blank", None),
        (None, 0, "zero", 0.0),
        (None, 0, "blank", None),
        (NOW - dt.timedelta(minutes=10), 15, "zero", None),
        (NOW - dt.timedelta(minutes=15), 15, "zero", None),
        (NOW - dt.timedelta(minutes=15, seconds=1), 15, "zero", 0.0),
        (NOW, 0, "zero", None),
        (NOW - dt.timedelta(microseconds=1), 0, "zero", 0.0),
    ],
    ids=[
        "past",
        "future",
        "past-blank",
        "future-blank",
        "no-due-date",
        "no-due-date-blank",
        "inside-grace",
        "end-of-grace",
        "after-grace",
        "at-due",
        "just-after-due",
    ],
)
def test_missing_work_rule(tmp_path, fmt, due, grace, missing, expected):
    absent = Student("absent", "Ab", "Sent", "ab@x.edu", "201")
    present = Student("present", "Pre", "Sent", "pre@x.edu", "202")
    table = _table([_row(absent, "hw01"), _row(present, "hw01", 4.0)])
    write_grades(
        table,
        tmp_path / "g.csv",
        fmt,
        due_dates={"hw01": due} if due else {},
        grace=dt.timedelta(minutes=grace),
        missing=missing,
        now=NOW,
    )
    assert _import_one(tmp_path / "g.csv", fmt, absent, "hw01") == expected
    assert _import_one(tmp_path / "g.csv", fmt, present, "hw01") == 4.0


@pytest.mark.parametrize("fmt", ["canvas", "moodle"])
def test_missing_work_rule_is_per_homework(tmp_path, fmt):
    absent = Student("absent", "Ab", "Sent", "ab@x.edu", "201")
    present = Student("present", "Pre", "Sent", "pre@x.edu", "202")
    table = _table(
        [
            _row(who, a, None if who is absent else 5.0)
            for a in ("hw01", "hw02", "hw03")
            for who in (absent, present)
        ]
    )
    write_grades(
        table,
        tmp_path / "g.csv",
        fmt,
        due_dates={"hw01": PAST, "hw02": FUTURE},
        now=NOW,
    )
    got = [
        _import_one(tmp_path / "g.csv", fmt, absent, a)
        for a in ("hw01", "hw02", "hw03")
    ]
    assert got == [0.0, None, 0.0]


def test_now_defaults_to_the_present(tmp_path):
    absent = Student("absent", "Ab", "Sent", "ab@x.edu", "201")
    present = Student("present", "Pre", "Sent", "pre@x.edu", "202")
    long_ago = dt.datetime(2000, 1, 1, tzinfo=UTC)
    far_off = dt.datetime(2999, 1, 1, tzinfo=UTC)
    table = _table(
        [
            _row(absent, "old"),
            _row(absent, "new"),
            _row(present, "old", 1.0),
            _row(present, "new", 1.0),
        ]
    )
    write_grades(
        table, tmp_path / "g.csv", "canvas", due_dates={"old": long_ago, "new": far_off}
    )
    assert canvas_import(tmp_path / "g.csv").grades[201] == {"old": 0.0, "new": None}


# --------------------------------------------------------------------------
# write_grades: names, encodings and formulas, every format
# --------------------------------------------------------------------------

AWKWARD = [
    Student("u1", "Zoë", "Ångström", "u1@x.edu", "301"),
    Student("u2", "小明", "王", "u2@x.edu", "302"),
    Student("u3", "Jane", "Smith, Jr.", "u3@x.edu", "303"),
    Student("u4", 'Jo "JJ"', "O'Brien", "u4@x.edu", "304"),
    Student(
        "u5",
        '=HYPERLINK("http://evil.invalid")',
        "=cmd|' /C calc'!A0",
        "u5@x.edu",
        "305",
    ),
    Student("u6", "+SUM(A1)", "-2+3", "u6@x.edu", "306"),
    Student("u7", "@x", "", "u7@x.edu", "307"),
    Student("u8", "Line\nBreak", "cr\rhere", "u8@x.edu", "308"),
    Student("u9", "", "", "u9@x.edu", "309"),
    Student("u10", "علي", "Nguyễn", "u10@x.edu", "310"),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_cell_can_start_a_formula(tmp_path, fmt):
    rows = [_row(s, "hw01", 5.0) for s in AWKWARD]
    write_grades(_table(rows), tmp_path / "g.csv", fmt, now=NOW)
    cells = _all_cells(tmp_path / "g.csv")
    assert cells
    for cell in cells:
        assert not cell.startswith(FORMULA_START), cell


@pytest.mark.parametrize("fmt", FORMATS)
def test_unicode_commas_and_quotes_round_trip(tmp_path, fmt):
    rows = [_row(s, "hw01", float(i)) for i, s in enumerate(AWKWARD)]
    write_grades(_table(rows), tmp_path / "g.csv", fmt, now=NOW)
    path = tmp_path / "g.csv"
    if fmt == "canvas":
        got = canvas_import(path)
        for who in AWKWARD:
            assert got.names[int(who.lms_user_id)] == _as_cell(_sortable(who))
    elif fmt == "moodle":
        got = moodle_import(path)
        for who in AWKWARD:
            assert got.names[who.email] == (
                _as_cell(who.first_name),
                _as_cell(who.last_name),
            )
    else:
        by_id = {r["student_id"]: r for r in nbgrader_rows(path)}
        for who in AWKWARD:
            assert by_id[who.student_id]["first_name"] == _as_cell(who.first_name)
            assert by_id[who.student_id]["last_name"] == _as_cell(who.last_name)
    text = path.read_text(encoding="utf-8-sig")
    assert text.count("\n") == len(AWKWARD) + (2 if fmt == "canvas" else 1)
    for ok in (
        "Zoë",
        "Ångström",
        "小明",
        "王",
        "علي",
        "Nguyễn",
        "Smith, Jr.",
        "O'Brien",
    ):
        assert ok in text


def test_a_missing_name_falls_back_to_the_student_id(tmp_path):
    who = Student("nobody9", "", "", "n@x.edu", "999")
    write_grades(
        _table([_row(who, "hw01", 1.0)]), tmp_path / "c.csv", "canvas", now=NOW
    )
    assert canvas_import(tmp_path / "c.csv").names[999] == "nobody9"


# --------------------------------------------------------------------------
# write_grades: nbgrader
# --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_nbgrader_file_has_its_columns_and_values(tmp_path, seed):
    rng = random.Random(200 + seed)
    assignments = ["hw02", "hw01", "hw03"][: rng.randint(1, 3)]
    made = _random_class(rng, assignments, size=8)
    due = {a: d for a in assignments if (d := rng.choice([PAST, FUTURE, None]))}

    left_out = write_grades(
        made.table, tmp_path / "n.csv", "nbgrader", due_dates=due, now=NOW
    )
    rows = nbgrader_rows(tmp_path / "n.csv")

    assert left_out == []
    keys = [(r["assignment"], r["student_id"]) for r in rows]
    assert keys == sorted((r["assignment"], r["student_id"]) for r in made.rows)
    for got in rows:
        want = next(
            r
            for r in made.rows
            if (r["assignment"], r["student_id"])
            == (got["assignment"], got["student_id"])
        )
        due_date = due.get(got["assignment"])
        assert got["duedate"] == ("" if due_date is None else due_date.isoformat())
        if got["duedate"]:
            assert dt.datetime.fromisoformat(got["duedate"]) == due_date
        assert got["timestamp"] == want["timestamp"]
        assert got["email"] == want["email"]
        assert got["first_name"] == _as_cell(want["first_name"])
        assert got["last_name"] == _as_cell(want["last_name"])
        assert float(got["raw_score"]) == pytest.approx(want["total_score"], abs=0.005)
        assert float(got["late_submission_penalty"]) == pytest.approx(
            want["late_penalty"], abs=0.005
        )
        assert float(got["score"]) == pytest.approx(want["score"], abs=0.005)
        assert float(got["max_score"]) == want["max_score"]
        assert float(got["score"]) == pytest.approx(
            float(got["raw_score"]) - float(got["late_submission_penalty"]), abs=0.011
        )


def test_nbgrader_one_example(tmp_path):
    who = Student("jsmith", "Jane", "Smith, Jr.", "j@x.edu", "")
    stamp = "2027-01-26T04:00:00+00:00"
    table = _table(
        [_row(who, "hw01", 10.0, max_score=12.0, fraction=0.2, timestamp=stamp)]
    )
    due = {"hw01": dt.datetime(2027, 1, 25, 23, 59, tzinfo=UTC)}
    write_grades(table, tmp_path / "n.csv", "nbgrader", due_dates=due, now=NOW)
    assert nbgrader_rows(tmp_path / "n.csv") == [
        {
            "assignment": "hw01",
            "duedate": "2027-01-25T23:59:00+00:00",
            "timestamp": stamp,
            "student_id": "jsmith",
            "last_name": "Smith, Jr.",
            "first_name": "Jane",
            "email": "j@x.edu",
            "raw_score": "10",
            "late_submission_penalty": "2",
            "score": "8",
            "max_score": "12",
        }
    ]


# --------------------------------------------------------------------------
# write_grades: arguments
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["", "Canvas", "csv", "blackboard", None])
def test_an_unknown_format_raises_before_writing(tmp_path, fmt):
    who = Student("a", "A", "B", "a@x.edu", "1")
    with pytest.raises(ValueError, match="fmt must be one of canvas, moodle, nbgrader"):
        write_grades(_table([_row(who, "hw01", 1.0)]), tmp_path / "g.csv", fmt)
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("missing", ["", "Zero", "none", "0", None])
def test_an_unknown_missing_rule_raises_before_writing(tmp_path, missing):
    who = Student("a", "A", "B", "a@x.edu", "1")
    with pytest.raises(ValueError, match="missing must be 'zero' or 'blank'"):
        write_grades(
            _table([_row(who, "hw01", 1.0)]),
            tmp_path / "g.csv",
            "canvas",
            missing=missing,
        )
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_gradebook_writes_a_valid_empty_file(tmp_path, fmt):
    assert write_grades(_table([]), tmp_path / "g.csv", fmt, now=NOW) == []
    if fmt == "canvas":
        got = canvas_import(tmp_path / "g.csv")
        assert got.grades == {}
    elif fmt == "moodle":
        assert moodle_import(tmp_path / "g.csv").grades == {}
    else:
        assert nbgrader_rows(tmp_path / "g.csv") == []


def test_write_grades_accepts_a_str_path(tmp_path):
    who = Student("a", "A", "B", "a@x.edu", "1")
    write_grades(
        _table([_row(who, "hw01", 1.0)]), os.fspath(tmp_path / "g.csv"), "canvas"
    )
    assert canvas_import(tmp_path / "g.csv").grades == {1: {"hw01": 1.0}}


# --------------------------------------------------------------------------
# read_worksheet
# --------------------------------------------------------------------------


def _moodle_long(local: dt.datetime) -> str:
    """A time as Moodle's worksheet writes it in English, in the downloader's zone."""
    hour = local.hour % 12 or 12
    return (
        f"{MOODLE_DAYS[local.weekday()]}, {local.day} {MOODLE_MONTHS[local.month - 1]} "
        f"{local.year}, {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    )


def _worksheet(
    path: Path,
    rows: list[list[str]],
    *,
    head: list[str] = WORKSHEET_HEAD,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _sheet_row(number: int, name: str, email: str, submitted: str) -> list[str]:
    return [
        f"Participant {number}",
        name,
        email,
        "Submitted for grading",
        "",
        "100.00",
        "Yes",
        submitted,
        "-",
        "",
    ]


@pytest.mark.parametrize(
    "zone", ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]
)
@pytest.mark.parametrize("seed", range(3))
def test_worksheet_participants_and_times_read_back(tmp_path, zone, seed):
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo(zone)
    numbers = rng.sample(range(1, 10**7), 30)
    expected = {}
    rows = []
    for i, number in enumerate(numbers):
        local = dt.datetime(2027, 1, 1) + dt.timedelta(
            minutes=rng.randrange(365 * 1440)
        )
        email = f"p{i}@uni.edu"
        name = rng.choice(["Zoë Ångström", "王 小明", "Jane Smith, Jr.", 'Jo "JJ" Doe'])
        if rng.random() < 0.2:
            rows.append(_sheet_row(number, name, email, rng.choice(["-", "", "  -  "])))
            when = None
        else:
            rows.append(_sheet_row(number, name, email, _moodle_long(local)))
            when = local.replace(tzinfo=tz).astimezone(UTC)
        expected[str(number)] = {
            "full_name": name,
            "email": email,
            "submitted_at": when,
        }
    sheet = _worksheet(tmp_path / "Grades.csv", rows)

    got = read_worksheet(sheet, zone)

    assert got == expected
    for row in got.values():
        assert row["submitted_at"] is None or row[
            "submitted_at"
        ].utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("written", "zone", "expected"),
    [
        ("Monday, 5 February 2024, 3:04 PM", "UTC", "2024-02-05T15:04:00+00:00"),
        (
            "Monday, 5 February 2024, 3:04 PM",
            "America/New_York",
            "2024-02-05T20:04:00+00:00",
        ),
        # summer time: New York is UTC-4
        (
            "Monday, 1 July 2024, 3:04 PM",
            "America/New_York",
            "2024-07-01T19:04:00+00:00",
        ),
        ("Monday, 05 February 2024, 03:04 PM", "UTC", "2024-02-05T15:04:00+00:00"),
        ("Monday, 5 February 2024, 12:00 AM", "UTC", "2024-02-05T00:00:00+00:00"),
        ("Monday, 5 February 2024, 12:30 PM", "UTC", "2024-02-05T12:30:00+00:00"),
        ("Monday, 5 February 2024, 15:04", "UTC", "2024-02-05T15:04:00+00:00"),
        ("5 February 2024, 3:04 PM", "UTC", "2024-02-05T15:04:00+00:00"),
        ("  Monday,  5 February 2024,\n3:04 PM ", "UTC", "2024-02-05T15:04:00+00:00"),
        ("2024-02-05 15:04", "Europe/Berlin", "2024-02-05T14:04:00+00:00"),
    ],
)
def test_worksheet_time_forms(tmp_path, written, zone, expected):
    sheet = _worksheet(tmp_path / "w.csv", [_sheet_row(7, "A B", "a@x.edu", written)])
    assert read_worksheet(sheet, zone)["7"]["submitted_at"].isoformat() == expected


@pytest.mark.parametrize(
    "written", ["-", "", "   ", "never", "Someday, 99 Smarch 2024"]
)
def test_worksheet_time_unknown_is_none(tmp_path, written):
    sheet = _worksheet(tmp_path / "w.csv", [_sheet_row(7, "A B", "a@x.edu", written)])
    assert read_worksheet(sheet)["7"]["submitted_at"] is None


def test_worksheet_with_a_bom_and_padded_headers(tmp_path):
    head = [f" {h} " for h in WORKSHEET_HEAD]
    rows = [
        _sheet_row(
            12, "  Zoë   Ångström ", " z@x.edu ", "Monday, 5 February 2024, 3:04 PM"
        )
    ]
    sheet = _worksheet(tmp_path / "w.csv", rows, head=head, encoding="utf-8-sig")
    assert sheet.read_bytes().startswith(BOM)
    got = read_worksheet(sheet)
    assert got == {
        "12": {
            "full_name": "Zoë Ångström",
            "email": "z@x.edu",
            "submitted_at": dt.datetime(2024, 2, 5, 15, 4, tzinfo=UTC),
        }
    }


def test_worksheet_names_are_nfc(tmp_path):
    decomposed = "Zoe\u0308 A\u030angstro\u0308m"
    sheet = _worksheet(tmp_path / "w.csv", [_sheet_row(3, decomposed, "z@x.edu", "-")])
    assert read_worksheet(sheet)["3"]["full_name"] == "Zoë Ångström"


def test_worksheet_multiline_feedback_and_odd_rows(tmp_path):
    rows = [
        [*_sheet_row(1, "A One", "a@x.edu", "-")[:-1], 'line one\nline, two\n"three"'],
        ["Participant", "No Number", "n@x.edu"],  # no number: skipped
        ["", "", ""],
        _sheet_row(2, "B Two", "b@x.edu", "-")[:3],  # a short row
    ]
    got = read_worksheet(_worksheet(tmp_path / "w.csv", rows))
    assert set(got) == {"1", "2"}
    assert got["2"] == {"full_name": "B Two", "email": "b@x.edu", "submitted_at": None}


def test_worksheet_without_an_email_column(tmp_path):
    head = ["Identifier", "Full name", "Last modified (submission)"]
    sheet = _worksheet(
        tmp_path / "w.csv", [["Participant 4", "D Four", "-"]], head=head
    )
    assert read_worksheet(sheet) == {
        "4": {"full_name": "D Four", "email": "", "submitted_at": None}
    }


def test_worksheet_accepts_a_lowercase_email_header(tmp_path):
    head = ["Identifier", "Full name", "email"]
    sheet = _worksheet(
        tmp_path / "w.csv", [["Participant 4", "D Four", "d@x.edu"]], head=head
    )
    assert read_worksheet(sheet)["4"]["email"] == "d@x.edu"


@pytest.mark.parametrize(
    "head",
    [
        ["Full name", "Email address"],
        ["Participant", "Full name"],
        ["identifier", "Full name"],
        ["ID", "Full name"],
    ],
)
def test_worksheet_without_identifier_raises(tmp_path, head):
    sheet = _worksheet(tmp_path / "w.csv", [["Participant 1", "A"]], head=head)
    with pytest.raises(ValueError, match="'Identifier' column"):
        read_worksheet(sheet)


def test_an_empty_worksheet_raises(tmp_path):
    (tmp_path / "w.csv").write_bytes(b"")
    with pytest.raises(ValueError, match="'Identifier' column"):
        read_worksheet(tmp_path / "w.csv")


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_a_worksheet_not_in_utf8_raises(tmp_path, encoding):
    sheet = _worksheet(
        tmp_path / "w.csv",
        [_sheet_row(1, "Zoë Ångström", "z@x.edu", "-")],
        encoding=encoding,
    )
    with pytest.raises(ValueError, match="UTF-8"):
        read_worksheet(sheet)


def test_a_worksheet_behind_a_link_is_read_and_a_pipe_is_never_waited_on(tmp_path):
    # The worksheet is the instructor's own download: a link to it is followed,
    # but a named pipe is refused at once, never read (it would block).
    real = _worksheet(tmp_path / "real.csv", [_sheet_row(1, "A B", "a@x.edu", "-")])
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert read_worksheet(link) == read_worksheet(real)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_worksheet(fifo)


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_a_worksheet_that_is_not_a_file_is_refused(tmp_path, what):
    path = tmp_path / "w.csv"
    if what == "directory":
        path.mkdir()
    said = "not a regular file" if what == "directory" else "must be an existing file"
    with pytest.raises(ValueError, match=said):
        read_worksheet(path)


def test_a_worksheet_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    sheet = _worksheet(tmp_path / "w.csv", [_sheet_row(1, "A B", "a@x.edu", "-")])
    size = sheet.stat().st_size
    monkeypatch.setattr(lms, "MAX_WORKSHEET_BYTES", size)
    assert "1" in read_worksheet(sheet)
    monkeypatch.setattr(lms, "MAX_WORKSHEET_BYTES", size - 1)
    with pytest.raises(ValueError, match=f"at most {size - 1:,} bytes"):
        read_worksheet(sheet)


def test_a_worksheet_with_a_long_feedback_comment_is_read(tmp_path):
    row = [*_sheet_row(1, "A B", "a@x.edu", "-")[:-1], "<p>" + "x" * 200_000 + "</p>"]
    sheet = _worksheet(tmp_path / "w.csv", [row])
    assert sheet.stat().st_size < lms.MAX_WORKSHEET_BYTES
    assert read_worksheet(sheet)["1"]["email"] == "a@x.edu"


# --------------------------------------------------------------------------
# feedback_archive
# --------------------------------------------------------------------------


def canvas_feedback_target(entry: str) -> tuple[str, str] | None:
    """Canvas's Assignment#infer_comment_context_from_filename: the (user id,
    attachment id) a re-uploaded file is attached to, or None (ignored)."""
    filename = entry.rsplit("/", 1)[-1]  # File.basename
    tokens = filename.split("_")
    while tokens and tokens[-1] == "":  # Ruby's split drops trailing empties
        tokens.pop()
    tokens = [t for t in tokens if t != "LATE"]
    ids = [t for t in tokens if re.fullmatch(r"[0-9]+", t)][:2]
    if len(ids) < 2:
        return None
    # Richards_David_2_link.html: a URL submission, no attachment
    if tokens[-1].startswith("link") or filename.startswith("._"):
        return None
    return ids[0], ids[1]


MOODLE_PLUGINS = {
    ("assignsubmission", "file"),
    ("assignsubmission", "onlinetext"),
    ("assignsubmission", "comments"),
    ("assignfeedback", "file"),
}


def _php_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", text))


def moodle_feedback_target(
    entry: str, participants: set[int]
) -> tuple[int, tuple[str, str], str] | None:
    """assignfeedback_file's is_valid_filename_for_import: (participant, plugin,
    file name) or None (ignored)."""
    if entry.endswith("/"):
        return None
    basename = entry.rsplit("/", 1)[-1]
    if basename.startswith((".", "~")):
        return None
    parts = entry.split("/")
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not _php_numeric(info[1]):
            continue
        number = int(float(info[1]))
        if number not in participants:
            continue
        plugin = (info[2], info[3])
        if plugin not in MOODLE_PLUGINS:
            continue
        rest = info[4] if len(info) == 5 else ""
        return number, plugin, "/".join([rest, *parts])
    return None


def _safe_entry(name: str) -> bool:
    return not name.startswith("/") and ".." not in name.split("/") and "\\" not in name


CANVAS_SLUGS = [
    "smithjane",
    "smith2jane",
    "o_brien",
    "late",
    "LATE",
    "ångströmzoë",
    "王小明",
    "",
    "_",
    "123",
    "a/b\\c",
    'quote"d',
    "  spaced  ",
    "link",
    "x1_2_3y",
]
NOTEBOOKS = ["hw01", "hw_01", "01", "2024_project", "ethics-1", "Week 3"]


def _pages(folder: Path, students: list[str]) -> dict[str, Path]:
    pages = {}
    for student in students:
        page = folder / f"{student}.html"
        page.write_text(f"<p>feedback for {student}</p>", encoding="utf-8")
        pages[student] = page
    return pages


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@pytest.mark.parametrize("seed", range(3))
def test_canvas_feedback_names_parse_back_to_the_submission(tmp_path, notebook, seed):
    rng = random.Random(seed)
    students = [f"s{i:02d}" for i in range(len(CANVAS_SLUGS))]
    facts = {}
    for student, slug in zip(students, CANVAS_SLUGS, strict=True):
        facts[student] = {
            "layout": "canvas",
            "lms_name": slug,
            "lms_user_id": str(rng.randrange(1, 10**8)),
            "submission_id": str(rng.randrange(1, 10**9)),
            "late": rng.random() < 0.3,
        }
    pages = _pages(tmp_path, students)
    out = tmp_path / "fb.zip"

    count, left_out = feedback_archive(pages, facts, out, "canvas", notebook)

    assert (count, left_out) == (len(students), [])
    by_ids = {(f["lms_user_id"], f["submission_id"]): s for s, f in facts.items()}
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert len(set(names)) == len(names) == count
        seen = set()
        for name in names:
            assert _safe_entry(name), name
            target = canvas_feedback_target(name)
            assert target is not None, f"Canvas ignores {name!r}"
            student = by_ids[target]
            assert zf.read(name) == pages[student].read_bytes()
            # The last "_" part is never taken for a link submission.
            assert not name.rsplit("_", 1)[-1].startswith("link"), name
            assert name.endswith(".html") and "feedback-" in name
            seen.add(student)
    assert seen == set(students)


@pytest.mark.parametrize("notebook", ["linkage", "hw03_linking"])
def test_canvas_feedback_survives_a_notebook_named_link(tmp_path, notebook):
    facts = {
        "jsmith": {
            "layout": "canvas",
            "lms_name": "smithjane",
            "lms_user_id": "101",
            "submission_id": "5551",
        }
    }
    feedback_archive(
        _pages(tmp_path, ["jsmith"]), facts, tmp_path / "fb.zip", "canvas", notebook
    )
    with zipfile.ZipFile(tmp_path / "fb.zip") as zf:
        assert [canvas_feedback_target(n) for n in zf.namelist()] == [("101", "5551")]


MOODLE_NAMES = [
    "Zoë Ångström",
    "Jane_Smith",
    "a_1_assignsubmission_file",
    "王 小明",
    "O'Brien/Dir\\x",
    "",
    "___",
    "Ana María de la Cruz",
    "Name\x00With\u202eControls",
    "12345",
]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@pytest.mark.parametrize("seed", range(3))
def test_moodle_feedback_names_pass_moodle_import_rule(tmp_path, notebook, seed):
    rng = random.Random(seed)
    students = [f"m{i:02d}" for i in range(len(MOODLE_NAMES))]
    numbers = rng.sample(range(1, 10**7), len(students))
    facts = {
        student: {"layout": "moodle", "lms_name": name, "participant": str(number)}
        for student, name, number in zip(students, MOODLE_NAMES, numbers, strict=True)
    }
    pages = _pages(tmp_path, students)
    out = tmp_path / "fb.zip"

    count, left_out = feedback_archive(pages, facts, out, "moodle", notebook)

    assert (count, left_out) == (len(students), [])
    by_number = {int(f["participant"]): s for s, f in facts.items()}
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert len(set(names)) == len(names) == count
        seen = set()
        for name in names:
            assert _safe_entry(name), name
            first = name.split("/")[0]
            assert len(first.split("_", 4)) >= 4
            target = moodle_feedback_target(name, set(by_number))
            assert target is not None, f"Moodle ignores {name!r}"
            number, plugin, filename = target
            assert plugin == ("assignsubmission", "file")
            # as for Moodle's own download: "<name>_<n>_assignsubmission_file_/<file>"
            assert filename.rsplit("/", 1)[-1] == f"{notebook}-feedback.html"
            student = by_number[number]
            assert zf.read(name) == pages[student].read_bytes()
            seen.add(student)
    assert seen == set(students)


@pytest.mark.parametrize("fmt", ["canvas", "moodle"])
def test_feedback_from_elsewhere_is_left_out_and_reported(tmp_path, fmt):
    facts = {
        "canvas1": {
            "layout": "canvas",
            "lms_name": "one",
            "lms_user_id": "11",
            "submission_id": "111",
        },
        "moodle1": {"layout": "moodle", "lms_name": "Two Person", "participant": "22"},
        "plain1": {"layout": "plain"},
        "nofacts": {},
    }
    students = [*facts, "unknown"]
    pages = _pages(tmp_path, students)
    out = tmp_path / "fb.zip"

    count, left_out = feedback_archive(pages, facts, out, fmt, "hw01")

    kept = "canvas1" if fmt == "canvas" else "moodle1"
    assert count == 1
    assert len(left_out) == len(students) - 1
    for student in students:
        if student == kept:
            continue
        line = next(x for x in left_out if x.startswith(student + ":"))
        assert f"not collected from a {fmt.title()} export" in line
        assert str(pages[student]) in line
    with zipfile.ZipFile(out) as zf:
        (name,) = zf.namelist()
        assert zf.read(name) == pages[kept].read_bytes()


@pytest.mark.parametrize("fmt", ["nbgrader", "Canvas", "", "plain", None])
def test_feedback_archive_refuses_an_unknown_format(tmp_path, fmt):
    with pytest.raises(ValueError, match="fmt must be 'canvas' or 'moodle'"):
        feedback_archive({}, {}, tmp_path / "fb.zip", fmt, "hw01")
    assert not (tmp_path / "fb.zip").exists()


def test_feedback_archive_with_nothing_to_zip(tmp_path):
    assert feedback_archive({}, {}, tmp_path / "fb.zip", "moodle", "hw01") == (0, [])
    with zipfile.ZipFile(tmp_path / "fb.zip") as zf:
        assert zf.namelist() == []


def test_a_homework_nothing_was_collected_for_gets_no_column(tmp_path):
    who = Student("a", "A", "B", "a@x.edu", "201")
    table = _table([_row(who, "hw01", 4.0), _row(who, "hw02")])
    for fmt in ("canvas", "moodle"):
        left_out = write_grades(table, tmp_path / "g.csv", fmt)
        assert left_out == ["hw02: nothing collected yet; its column is left out"]
        header = (tmp_path / "g.csv").read_text(encoding="utf-8-sig").splitlines()[0]
        assert "hw01" in header and "hw02" not in header
