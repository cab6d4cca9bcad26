"""The class list: who the students are, read from the LMS into nbgrader's gradebook.

:func:`read_roster` reads a class list exported from the course's LMS (a
Canvas gradebook export, a Moodle participants download, or a plain CSV) as
a :class:`Roster` of :class:`Person`; :func:`import_roster` writes it into
the gradebook, so that every student has a stable id, a name, an email and
an LMS user id there; :func:`load_roster` reads it back, and a
:class:`Lookup` finds a student by LMS user id, email or name (the collector
uses it to file an LMS zip's submissions).

Formats
-------
The format is detected from the header row (``format=`` forces one):

- **canvas**: a Canvas gradebook export (Grades > Export). The header starts
  ``Student,ID`` (or ``LastName,FirstName,ID`` when the gradebook shows first
  and last names), then ``SIS User ID`` (only for those allowed to see SIS
  ids), ``SIS Login ID``, ``Integration ID`` and ``Root Account`` (when the
  account has them), ``Section``, then custom columns, one column per
  assignment and the score columns. ``Student`` is the sortable name
  ``Last, First`` (a name starting with ``=`` is written ``="..."``), ``ID``
  Canvas's numeric user id. The ``Points Possible`` row, rows without a
  student (Canvas's row of manually posted assignments) and Canvas's Test
  Student (``Student, Test``) are skipped. A ``SIS Login ID`` that is an
  email address is also the student's email (the export has no email column).
- **moodle**: a Moodle participants download (Participants, select all,
  "Download table data as" CSV): ``First name``, ``Last name``, the identity
  fields the site shows (``ID number``, ``Username``, ``Email address``, ...)
  and ``Groups`` (kept as the section). When a ``Roles`` column exists (a
  copy of the participants table), only rows whose roles include Student are
  imported; a ``Status`` of Suspended or Not current is skipped too. Moodle's
  own download has neither column: filter the participants page by the role
  Student before selecting everyone. Headers must be in English.
- **csv**: a column ``student_id`` (or ``id``), and optionally
  ``first_name``, ``last_name``, ``name`` (split at its last space when there
  is no first and last name), ``email``, ``lms_user_id`` and ``section``.

Files are read as UTF-8 (a byte-order mark is fine) up to
``MAX_ROSTER_BYTES``, with ``,``, ``;`` or tab between cells; cells are
stripped and NFC-normalised, and any Unicode name is kept as it is. Rows are
numbered as a spreadsheet shows them: the header is row 1.

Student ids
-----------
An nbgrader student id names the student's folders, so it must match
:data:`SAFE_ID`: letters, digits and ``._@-``, starting with a letter, a
digit or ``_``, at most 128 characters. Ids must also be unique regardless of
case (on macOS and Windows, ``Ada`` and ``ada`` are one folder). The id of
every imported row comes from one column:

- ``id_column``, when given: every imported row must have a non-empty, safe
  and unique value there, else :class:`ValueError` names the first bad row.
- canvas: ``SIS Login ID`` if every student row has a non-empty, safe and
  unique one; else ``SIS User ID``, by the same test; else ``ID`` (Canvas's
  user id, which always passes).
- moodle: ``ID number``, else ``Username``, else ``Email address``, by the same
  test; if none passes, :class:`ValueError` asks for ``--id-column`` or for an
  identity field in the export.
- csv: ``student_id`` (or ``id``), which must be safe and unique.

Two students may share a name: they have different ids. Once a student is
in the gradebook, :func:`import_roster` keeps their id for the rest of the
term, even if the rule would now pick another column (for instance when a
new student has no SIS Login ID yet).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course_tools.grading._csvfile import read_csv_text
from course_tools.grading._text import printable

if TYPE_CHECKING:
    from course_tools.grading.grade import Course

__all__ = [
    "FORMATS",
    "MAX_ROSTER_BYTES",
    "SAFE_ID",
    "Lookup",
    "Person",
    "Roster",
    "RosterReport",
    "import_roster",
    "load_roster",
    "read_roster",
]

#: What an nbgrader student id (a folder name) must fully match: a letter, a
#: digit or ``_`` first (never ``.``, nor ``-``, ``@``, ``=`` or ``+``, with
#: which a spreadsheet would start a formula), then letters, digits and
#: ``._@-``, at most 128 characters in all.
SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}")

#: Largest roster file read (bytes); a class list of thousands is far smaller.
MAX_ROSTER_BYTES = 20 * 2**20

#: The roster formats :func:`read_roster` reads.
FORMATS = ("canvas", "moodle", "csv")

# nbgrader's student columns are String(128): a longer value is not stored.
_MAX_FIELD = 128
# Most lines of one kind that RosterReport.summary lists.
_MAX_LISTED = 30
_CANVAS_ID = re.compile(r"[0-9]{1,20}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TEST_STUDENT = {"student, test", "test student"}
_MOODLE_INACTIVE = {"suspended", "not current"}


@dataclass(frozen=True)
class Person:
    """One student of the class list.

    Parameters
    ----------
    student_id : str
        The nbgrader student id (a safe folder name, see :data:`SAFE_ID`).
    first_name, last_name : str
        The student's names; either may be ``""``.
    email : str
        The email address, ``""`` if unknown.
    lms_user_id : str
        Canvas's numeric user ``ID``; ``""`` for Moodle and plain CSV unless
        the file gives one.
    section : str, default ""
        The Canvas section or Moodle groups (not kept by the gradebook).

    Examples
    --------
    >>> Person("jsmith", "Jane", "Smith", "jane@uni.edu", "1234").name
    'Jane Smith'
    >>> Person("cher", "", "Cher", "", "").name
    'Cher'
    """

    student_id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    section: str = ""

    @property
    def name(self) -> str:
        """``"First Last"``, or whichever of the two exists."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class Roster:
    """A class list read by :func:`read_roster`.

    Parameters
    ----------
    format : str
        ``"canvas"``, ``"moodle"`` or ``"csv"``.
    people : list of Person
        The students, in the file's order.
    skipped : list of str
        One readable line per row not imported and why, e.g.
        ``"row 3: Canvas's Test Student"``.
    source : str, default ""
        The file's name.
    id_column : str, default ""
        The column the student ids came from.

    Examples
    --------
    >>> roster = Roster("csv", [Person("ada", "Ada", "Lovelace", "", "")], [])
    >>> [p.student_id for p in roster.people]
    ['ada']
    """

    format: str
    people: list[Person]
    skipped: list[str] = field(default_factory=list)
    source: str = ""
    id_column: str = ""


# --------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------


def _cell(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def _key(header: str) -> str:
    """A header cell as compared: casefolded, whitespace collapsed."""
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def _show(value: str, limit: int = 80) -> str:
    return printable(repr(value), limit)


def _read_text(path: str | os.PathLike[str]) -> str:
    return read_csv_text(
        path,
        what="roster",
        limit=MAX_ROSTER_BYTES,
        again="export only the class list (no submissions or attachments)",
    )


def _rows(text: str, name: str) -> list[list[str]]:
    header_line = text.split("\n", 1)[0].rstrip("\r")
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [
            [_cell(c) for c in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise ValueError(
            f"roster must be a valid CSV file; got {name}, which is not "
            f"({printable(error, 120)}): export it again"
        ) from None


@dataclass
class _Row:
    """A student row of the file, before its id column is chosen."""

    number: int
    cells: list[str]
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    section: str


def _col(keys: Sequence[str], *names: str) -> int | None:
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _get(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _is_canvas(keys: Sequence[str]) -> bool:
    return list(keys[:2]) == ["student", "id"] or list(keys[:3]) == [
        "lastname",
        "firstname",
        "id",
    ]


def _detect(keys: Sequence[str]) -> str | None:
    if _is_canvas(keys):
        return "canvas"
    if "first name" in keys and "last name" in keys:
        return "moodle"
    if "student_id" in keys or "id" in keys:
        return "csv"
    return None


def _canvas_name(cell: str) -> str:
    """A name cell of Canvas's export, without the quoting of a leading ``=``.

    Canvas writes a name that starts with ``=`` as ``="..."`` so that Excel
    shows it rather than run it.
    """
    quoted = re.fullmatch(r'="(.*)"', cell, re.DOTALL)
    return quoted.group(1).strip() if quoted else cell


def _canvas_rows(
    keys: Sequence[str], rows: Iterable[tuple[int, list[str]]], skipped: list[str]
) -> tuple[list[_Row], list[str]]:
    if not _is_canvas(keys):
        raise ValueError(
            "a Canvas gradebook export must start with the columns Student, ID "
            f"(or LastName, FirstName, ID); got {_columns(keys)}: export the "
            "gradebook again (Grades > Export)"
        )
    split = keys[0] == "lastname"  # "Show first and last names" was on
    id_at = 2 if split else 1
    login, section = _col(keys, "sis login id"), _col(keys, "section")
    out = []
    for number, cells in rows:
        if split:
            last, first = _canvas_name(cells[0]), _canvas_name(cells[1])
            student = ", ".join(p for p in (last, first) if p)
        else:
            student = _canvas_name(cells[0])
            last, comma, first = student.partition(",")
            if not comma:  # a one-word name
                first, last = student, ""
        user_id = cells[id_at]
        if not student and not user_id:
            skipped.append(f"row {number}: no Student or ID (not a student's row)")
            continue
        if student.casefold() == "points possible":
            skipped.append(f"row {number}: Canvas's Points Possible row")
            continue
        if " ".join(student.split()).casefold() in _TEST_STUDENT:
            skipped.append(f"row {number}: Canvas's Test Student")
            continue
        if not _CANVAS_ID.fullmatch(user_id):
            skipped.append(
                f"row {number}: {printable(student, 80)} has no Canvas user ID "
                f"(ID must be a number; got {_show(user_id)})"
            )
            continue
        email = _get(cells, login)
        out.append(
            _Row(
                number,
                cells,
                first.strip(),
                last.strip(),
                email if _EMAIL.fullmatch(email) else "",
                user_id,
                _get(cells, section),
            )
        )
    return out, [c for c in ("sis login id", "sis user id", "id") if c in keys]


def _is_student(roles: str) -> bool:
    return re.search(r"\bstudent\b", roles.casefold()) is not None


def _moodle_rows(
    keys: Sequence[str], rows: Iterable[tuple[int, list[str]]], skipped: list[str]
) -> tuple[list[_Row], list[str]]:
    first, last = _col(keys, "first name"), _col(keys, "last name")
    if first is None or last is None:
        raise ValueError(
            "a Moodle participants export must have the columns First name and "
            f"Last name; got {_columns(keys)}: download the participants table "
            "again, with English as the language"
        )
    email, roles = _col(keys, "email address"), _col(keys, "roles")
    groups, status = _col(keys, "groups"), _col(keys, "status")
    out = []
    for number, cells in rows:
        row = _Row(number, cells, cells[first], _get(cells, last), "", "", "")
        who = printable(" ".join(p for p in (row.first_name, row.last_name) if p), 80)
        if roles is not None and not _is_student(_get(cells, roles)):
            role = _get(cells, roles)
            what = f"the role {_show(role)}" if role else "no role"
            skipped.append(f"row {number}: {who} has {what}, not Student")
            continue
        state = " ".join(_get(cells, status).split()).casefold()
        if state in _MOODLE_INACTIVE:
            skipped.append(f"row {number}: {who}'s enrolment is {state.capitalize()}")
            continue
        row.email, row.section = _get(cells, email), _get(cells, groups)
        out.append(row)
    return out, [c for c in ("id number", "username", "email address") if c in keys]


def _csv_rows(
    keys: Sequence[str], rows: Iterable[tuple[int, list[str]]], skipped: list[str]
) -> tuple[list[_Row], list[str]]:
    id_key = "student_id" if "student_id" in keys else "id"
    first, last = _col(keys, "first_name"), _col(keys, "last_name")
    name, email = _col(keys, "name"), _col(keys, "email")
    lms, section = _col(keys, "lms_user_id"), _col(keys, "section")
    out = []
    for number, cells in rows:
        given, family = _get(cells, first), _get(cells, last)
        if not given and not family:
            given, _, family = _get(cells, name).rpartition(" ")
            if not given:
                given, family = family, ""
        out.append(
            _Row(
                number,
                cells,
                given.strip(),
                family.strip(),
                _get(cells, email),
                _get(cells, lms),
                _get(cells, section),
            )
        )
    return out, [id_key] if id_key in keys else []


def _columns(keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:12]) + (", ..." if len(keys) > 12 else "")
    return printable(shown or "no columns", 300)


def _id_problem(rows: Sequence[_Row], index: int) -> tuple[_Row, str] | None:
    """The first row whose value in column ``index`` is not a usable id."""
    seen: dict[str, int] = {}
    for row in rows:
        value = _get(row.cells, index)
        if not value:
            return row, "is empty"
        if not SAFE_ID.fullmatch(value):
            return row, (
                f"has {_show(value)}, not a safe folder name (letters, digits and "
                "._@-, starting with a letter, digit or _, at most 128 characters)"
            )
        if value.casefold() in seen:
            return row, f"has {_show(value)} again (row {seen[value.casefold()]})"
        seen[value.casefold()] = row.number
    return None


def _choose_id(
    fmt: str,
    header: Sequence[str],
    keys: Sequence[str],
    rows: Sequence[_Row],
    candidates: Sequence[str],
    id_column: str | None,
) -> int:
    if id_column is not None:
        index = _col(keys, _key(id_column))
        if index is None:
            raise ValueError(
                f"id_column must be one of the roster's columns; got "
                f"{_show(id_column)}, and the columns are {_columns(header)}: "
                "pass one of them"
            )
        problem = _id_problem(rows, index)
        if problem:
            row, why = problem
            raise ValueError(
                f"id_column {_show(header[index])} must hold a safe, unique "
                f"student id in every student row; got row {row.number}, which "
                f"{why}: fix the file or pass another --id-column"
            )
        return index
    problems = []
    for candidate in candidates:
        index = keys.index(candidate)
        problem = _id_problem(rows, index)
        if problem is None:
            return index
        row, why = problem
        problems.append(f"{header[index]}: row {row.number} {why}")
        if fmt == "csv":
            raise ValueError(
                f"{printable(header[index], 40)} must hold a safe, unique student "
                f"id in every row; got row {row.number}, which {why}: fix the file "
                "or pass --id-column"
            )
    found = "; ".join(problems) or "none of these columns"
    if fmt == "csv":
        raise ValueError(
            "a plain CSV roster must have a student_id (or id) column; got "
            f"{_columns(header)}: add one, or pass --id-column"
        )
    if fmt == "moodle":
        raise ValueError(
            "a Moodle export must have an identity field (ID number, Username or "
            "Email address) that is filled, safe and unique for every student; "
            f"got {printable(found, 400)}: add one to the site's 'Show user "
            "identity' setting and download again, or pass --id-column"
        )
    raise ValueError(
        "a Canvas export must have SIS Login ID, SIS User ID or ID filled, safe "
        f"and unique for every student; got {printable(found, 400)}: export the "
        "gradebook again, or pass --id-column"
    )


def read_roster(
    path: str | os.PathLike[str], format: str = "auto", id_column: str | None = None
) -> Roster:
    """Read a class list exported from Canvas or Moodle, or a plain CSV.

    Parameters
    ----------
    path : str or path-like
        The CSV file (UTF-8, at most ``MAX_ROSTER_BYTES``).
    format : {"auto", "canvas", "moodle", "csv"}, default "auto"
        The file's format; ``"auto"`` detects it from the header row.
    id_column : str, optional
        The column whose values are the student ids (compared without regard
        to case); by default the rule of the module's docstring picks one.

    Returns
    -------
    Roster
        The students, in the file's order, and the rows that were skipped.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not UTF-8, too large, not one of the formats, lists no
        student, or has no column of safe, unique ids; the message says what
        to do.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "grades.csv"
    >>> _ = path.write_text(
    ...     "Student,ID,SIS User ID,SIS Login ID,Section,HW1 (7)\\n"
    ...     "    Points Possible,,,,,10\\n"
    ...     '"Smith, Jane",101,S01,jsmith@uni.edu,Sec A,9\\n'
    ...     '"Student, Test",999,,,Sec A,\\n', encoding="utf-8")
    >>> roster = read_roster(path)
    >>> roster.format, roster.id_column
    ('canvas', 'SIS Login ID')
    >>> roster.people
    [Person(student_id='jsmith@uni.edu', first_name='Jane', last_name='Smith', email='jsmith@uni.edu', lms_user_id='101', section='Sec A')]
    >>> roster.skipped
    ["row 2: Canvas's Points Possible row", "row 4: Canvas's Test Student"]
    """
    if format not in ("auto", *FORMATS):
        raise ValueError(
            f"format must be 'auto', 'canvas', 'moodle' or 'csv'; got {_show(format)}"
        )
    name = printable(Path(path).name, 200)
    table = _rows(_read_text(path), name)
    if not table or not any(table[0]):
        raise ValueError(
            f"roster must start with a header row; got {name}, whose first row is "
            "empty: export the class list again"
        )
    header = table[0]
    keys = [_key(h) for h in header]
    fmt = _detect(keys) if format == "auto" else format
    if fmt is None and id_column is not None:
        fmt = "csv"  # any table, with the ids in the column given
    if fmt is None:
        raise ValueError(
            "roster must be a Canvas gradebook export, a Moodle participants "
            f"download or a CSV with a student_id column; got {name} with the "
            f"columns {_columns(header)}: export it again, or add a student_id "
            "column"
        )
    skipped: list[str] = []
    data = [
        (number, row + [""] * (len(header) - len(row)))
        for number, row in enumerate(table[1:], start=2)
        if any(row)
    ]
    reader = {"canvas": _canvas_rows, "moodle": _moodle_rows, "csv": _csv_rows}[fmt]
    rows, candidates = reader(keys, data, skipped)
    kept = []
    for row in rows:
        long = [
            what
            for what, value in (
                ("first name", row.first_name),
                ("last name", row.last_name),
                ("email", row.email),
                ("LMS user id", row.lms_user_id),
            )
            if len(value) > _MAX_FIELD
        ]
        if long:
            skipped.append(
                f"row {row.number}: its {' and '.join(long)} must be at most "
                f"{_MAX_FIELD} characters (the gradebook keeps no more)"
            )
        else:
            kept.append(row)
    if not kept:
        first = f", first {printable(skipped[0], 160)}" if skipped else ""
        raise ValueError(
            f"roster must list at least one student; got none in {name} "
            f"({len(skipped)} row{'' if len(skipped) == 1 else 's'} skipped{first}): "
            "export the class list with its students"
        )
    index = _choose_id(fmt, header, keys, kept, candidates, id_column)
    people = [
        Person(
            r.cells[index],
            r.first_name,
            r.last_name,
            r.email,
            r.lms_user_id,
            r.section,
        )
        for r in kept
    ]
    return Roster(fmt, people, skipped, source=Path(path).name, id_column=header[index])


# --------------------------------------------------------------------------
# The gradebook
# --------------------------------------------------------------------------


@dataclass
class RosterReport:
    """What :func:`import_roster` did.

    Parameters
    ----------
    added : list of Person
        Students new to the gradebook.
    updated : list of Person
        Students already there whose name, email or LMS user id changed (with
        the id the gradebook has).
    unchanged : list of Person
        Students already there as the roster has them.
    not_on_roster : list of str
        Ids of gradebook students absent from the roster (never deleted).
    source, format : str, default ""
        The roster's file name and format.
    skipped : list of str
        The roster's rows that were not imported, and why.
    changes : dict of str to list of str
        For each updated student id, what changed.

    Examples
    --------
    >>> report = RosterReport([Person("ada", "Ada", "Lovelace", "", "")], [], [],
    ...                       ["bo"], source="roster.csv", format="csv")
    >>> print(report.summary())
    roster.csv (csv): 1 student: 1 added, 0 updated, 0 unchanged; 1 in the gradebook but not on the roster
    Added:
      ada  Ada Lovelace
    In the gradebook but not on the roster (left as they are):
      bo
    """

    added: list[Person] = field(default_factory=list)
    updated: list[Person] = field(default_factory=list)
    unchanged: list[Person] = field(default_factory=list)
    not_on_roster: list[str] = field(default_factory=list)
    source: str = ""
    format: str = ""
    skipped: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        """A readable, multi-line summary: counts first, then who and why.

        Returns
        -------
        str
            A headline with the counts, then one section per non-empty list
            (at most 30 lines each); names are shown inert.

        Examples
        --------
        >>> RosterReport(source="r.csv", format="moodle").summary()
        'r.csv (moodle): 0 students: 0 added, 0 updated, 0 unchanged'
        """

        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        def person(p: Person) -> str:
            email = f" <{printable(p.email, 130)}>" if p.email else ""
            return f"{printable(p.student_id, 130)}  {printable(p.name, 200)}{email}"

        def section(title: str, lines: list[str]) -> list[str]:
            if not lines:
                return []
            more = len(lines) - _MAX_LISTED
            tail = [f"  ... and {more} more"] if more > 0 else []
            return [f"{title}:", *(f"  {line}" for line in lines[:_MAX_LISTED]), *tail]

        total = len(self.added) + len(self.updated) + len(self.unchanged)
        head = (
            f"{printable(self.source or 'roster', 200)} "
            f"({printable(self.format or '?', 20)}): {count(total, 'student')}: "
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )
        if self.not_on_roster:
            head += (
                f"; {len(self.not_on_roster)} in the gradebook but not on the roster"
            )
        if self.skipped:
            head += f"; {count(len(self.skipped), 'row')} skipped"
        updated = [
            person(p)
            + (
                f"  ({', '.join(self.changes[p.student_id])})"
                if self.changes.get(p.student_id)
                else ""
            )
            for p in self.updated
        ]
        return "\n".join(
            [
                head,
                *section("Added", [person(p) for p in self.added]),
                *section("Updated", updated),
                *section(
                    "In the gradebook but not on the roster (left as they are)",
                    [printable(s, 130) for s in self.not_on_roster],
                ),
                *section("Skipped", [printable(s, 300) for s in self.skipped]),
            ]
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _describe(student: Any) -> str:
    name = " ".join(
        p for p in (_text(student.first_name), _text(student.last_name)) if p
    )
    lms = _text(student.lms_user_id)
    return (
        f"{_show(student.id, 140)}"
        + (f" ({printable(name, 100)})" if name else "")
        + (f" with LMS user id {printable(lms, 40)}" if lms else "")
    )


def _describe_person(person: Person) -> str:
    lms = person.lms_user_id
    return (
        f"{_show(person.student_id, 140)}"
        + (f" ({printable(person.name, 100)})" if person.name else "")
        + (f" with LMS user id {printable(lms, 40)}" if lms else "")
    )


def _unique(index: dict[str, list[Any]], key: str) -> Any:
    found = index.get(key, [])
    return found[0] if len(found) == 1 else None


def import_roster(course: Course, roster: Roster) -> RosterReport:
    """Write a class list into the course's gradebook, in one transaction.

    Each person is matched to a gradebook student by LMS user id (when it
    has one), then by email (regardless of case), then by student id. A
    matched student keeps their id and gets the roster's names, email and
    LMS user id (an empty value in the roster never erases one the gradebook
    has). Anyone else is added. Gradebook students absent from the roster
    are listed, never deleted. Importing the same roster again changes
    nothing.

    Parameters
    ----------
    course : course_tools.grading.grade.Course
        The course, whose ``gradebook()`` is nbgrader's gradebook (created if
        missing: ``alembic`` must then be on ``PATH``).
    roster : Roster
        What :func:`read_roster` read.

    Returns
    -------
    RosterReport
        Who was added, updated or unchanged, and who is not on the roster.

    Raises
    ------
    ValueError
        If a person's id is not safe, if two people of the roster are the
        same gradebook student, or if a new person's id belongs to a different
        gradebook student (another LMS user id); nothing is written then.

    Examples
    --------
    >>> import os, sys, tempfile
    >>> from pathlib import Path
    >>> from course_tools.grading.grade import Course
    >>> old_path = os.environ["PATH"]  # nbgrader runs alembic to create a gradebook
    >>> os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old_path}"
    >>> folder = Path(tempfile.mkdtemp())
    >>> course = Course(folder, "data-ethics", f"sqlite:///{folder / 'gradebook.db'}")
    >>> roster = Roster("csv", [Person("ada", "Ada", "Lovelace", "ada@uni.edu", "")],
    ...                 [], source="roster.csv")
    >>> print(import_roster(course, roster).summary())
    roster.csv (csv): 1 student: 1 added, 0 updated, 0 unchanged
    Added:
      ada  Ada Lovelace <ada@uni.edu>
    >>> import_roster(course, roster).summary()
    'roster.csv (csv): 1 student: 0 added, 0 updated, 1 unchanged'
    >>> os.environ["PATH"] = old_path
    """
    from nbgrader.api import Student

    _check_people(roster.people)
    report = RosterReport(
        source=roster.source, format=roster.format, skipped=list(roster.skipped)
    )
    with course.gradebook() as gb:
        students = gb.db.query(Student).order_by(Student.id).all()
        plan, claimed = _plan_import(roster.people, _StudentIndex(students))
        try:
            for person, match in plan:
                if match is None:
                    gb.db.add(
                        Student(
                            id=person.student_id,
                            first_name=person.first_name or None,
                            last_name=person.last_name or None,
                            email=person.email or None,
                            lms_user_id=person.lms_user_id or None,
                        )
                    )
                    report.added.append(person)
                else:
                    _update_student(match, person, report)
            gb.db.commit()
        except BaseException:
            gb.db.rollback()
            raise
        report.not_on_roster = [s.id for s in students if s.id not in claimed]
    return report


def _check_people(people: list[Person]) -> None:
    """Refuse an unsafe student id, or one that two people share (any case)."""
    seen: dict[str, Person] = {}
    for person in people:
        if not isinstance(person.student_id, str) or not SAFE_ID.fullmatch(
            person.student_id
        ):
            raise ValueError(
                f"student id must be a safe folder name; got "
                f"{_show(person.student_id)} for {printable(person.name, 100)}: "
                "read the roster with read_roster, or fix the id"
            )
        other = seen.setdefault(person.student_id.casefold(), person)
        if other is not person:
            raise ValueError(
                f"student ids must be unique; got {_describe_person(other)} and "
                f"{_describe_person(person)}: fix the roster"
            )


class _StudentIndex:
    """The gradebook's students by LMS user id, email and id (casefolded)."""

    def __init__(self, students: list[Any]) -> None:
        self.by_lms: dict[str, list[Any]] = {}
        self.by_email: dict[str, list[Any]] = {}
        self.by_id: dict[str, list[Any]] = {}
        for s in students:
            if _text(s.lms_user_id):
                self.by_lms.setdefault(s.lms_user_id, []).append(s)
            if _text(s.email):
                self.by_email.setdefault(s.email.strip().casefold(), []).append(s)
            self.by_id.setdefault(s.id.casefold(), []).append(s)

    def match(self, person: Person) -> Any:
        """The gradebook student ``person`` is, or None for a new one.

        By LMS user id, then email (unless the LMS user ids differ), then
        student id (an error if the LMS user ids differ).
        """
        match = None
        if person.lms_user_id:
            match = _unique(self.by_lms, person.lms_user_id)
        if match is None and person.email:
            match = _unique(self.by_email, person.email.strip().casefold())
            if match is not None and _other_lms(match, person):
                match = None
        same_id = self.by_id.get(person.student_id.casefold(), [])
        if match is None and same_id:
            exact = [s for s in same_id if s.id == person.student_id]
            match = (exact or same_id)[0]
            if _other_lms(match, person):
                raise ValueError(
                    f"a new student's id must not be taken; got "
                    f"{_describe_person(person)}, whose id belongs to "
                    f"gradebook student {_describe(match)}, a different "
                    "person: nothing was imported; pass --id-column with a "
                    "column that tells them apart"
                )
        return match


def _plan_import(
    people: list[Person], index: _StudentIndex
) -> tuple[list[tuple[Person, Any]], dict[str, Person]]:
    """(person, gradebook student or None) for everyone, and who claimed whom.

    Raises before anything is written if two people match one student.
    """
    claimed: dict[str, Person] = {}
    plan: list[tuple[Person, Any]] = []
    for person in people:
        match = index.match(person)
        if match is not None:
            if match.id in claimed:
                raise ValueError(
                    f"each gradebook student must be on the roster once; got "
                    f"{_describe_person(claimed[match.id])} and "
                    f"{_describe_person(person)}, who both match gradebook "
                    f"student {_describe(match)}: nothing was imported; fix "
                    "the roster"
                )
            claimed[match.id] = person
        plan.append((person, match))
    return plan, claimed


def _update_student(match: Any, person: Person, report: RosterReport) -> None:
    """Give a gradebook student the roster's non-empty values; record it."""
    changed = []
    values = {}
    for attr, label in (
        ("first_name", "first name"),
        ("last_name", "last name"),
        ("email", "email"),
        ("lms_user_id", "LMS user id"),
    ):
        old, new = _text(getattr(match, attr)), getattr(person, attr)
        values[attr] = new or old
        if new and new != old:
            setattr(match, attr, new)
            changed.append(label)
    kept = Person(match.id, section=person.section, **values)
    if changed:
        report.updated.append(kept)
        report.changes[match.id] = changed
    else:
        report.unchanged.append(kept)


def _other_lms(student: Any, person: Person) -> bool:
    """True if the two have LMS user ids, and different ones."""
    lms = _text(student.lms_user_id)
    return bool(lms and person.lms_user_id and lms != person.lms_user_id)


def load_roster(course: Course) -> list[Person]:
    """The students of the course's gradebook, as :class:`Person`, by id.

    Parameters
    ----------
    course : course_tools.grading.grade.Course
        The course.

    Returns
    -------
    list of Person
        Every gradebook student, sorted by id; missing values are ``""``, and
        ``section`` is always ``""`` (the gradebook has no sections).

    Examples
    --------
    >>> import os, sys, tempfile
    >>> from pathlib import Path
    >>> from course_tools.grading.grade import Course
    >>> old_path = os.environ["PATH"]  # nbgrader runs alembic to create a gradebook
    >>> os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old_path}"
    >>> folder = Path(tempfile.mkdtemp())
    >>> course = Course(folder, "data-ethics", f"sqlite:///{folder / 'gradebook.db'}")
    >>> with course.gradebook() as gb:
    ...     _ = gb.add_student("bo", first_name="Bo", lms_user_id="42")
    >>> load_roster(course)
    [Person(student_id='bo', first_name='Bo', last_name='', email='', lms_user_id='42', section='')]
    >>> os.environ["PATH"] = old_path
    """
    from nbgrader.api import Student

    with course.gradebook() as gb:
        return [
            Person(
                s.id,
                _text(s.first_name),
                _text(s.last_name),
                _text(s.email),
                _text(s.lms_user_id),
            )
            for s in gb.db.query(Student).order_by(Student.id).all()
        ]


# --------------------------------------------------------------------------
# Finding a student
# --------------------------------------------------------------------------


def _name_key(text: str) -> str:
    """A name as compared: NFC, casefolded, whitespace collapsed."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return re.sub(r" ?, ?", ", ", text).casefold()


def _is_word(ch: str) -> bool:
    # Ruby's [[:word:]]: letters, marks, decimal digits, connector punctuation.
    category = unicodedata.category(ch)
    return category[0] in "LM" or category in ("Nd", "Pc")


def _canvas_slug(person: Person) -> str:
    """Canvas's name in a submissions zip: the sortable name's word characters.

    Canvas writes ``user.last_name_first`` (``"Last, First"``) with every
    character outside ``[[:word:]]`` removed, downcased.
    """
    sortable = ", ".join(p for p in (person.last_name, person.first_name) if p)
    text = unicodedata.normalize("NFC", sortable)
    return "".join(ch for ch in text if _is_word(ch)).casefold()


class Lookup:
    """Find a student of a class list by LMS user id, email or name.

    Parameters
    ----------
    people : iterable of Person
        The class list, e.g. from :func:`load_roster`.

    Examples
    --------
    >>> find = Lookup([Person("s1", "Jane", "Smith", "Jane@Uni.edu", "101"),
    ...                Person("s2", "José", "Núñez", "", "102")])
    >>> find.by_lms_user_id("102").student_id
    's2'
    >>> find.by_email("jane@uni.EDU").student_id
    's1'
    >>> [p.student_id for p in find.by_name("smithjane")]
    ['s1']
    >>> [p.student_id for p in find.by_name("núñez,  JOSÉ")]
    ['s2']
    """

    def __init__(self, people: Iterable[Person]) -> None:
        self.people: list[Person] = list(people)
        self._lms: dict[str, Person] = {}
        self._email: dict[str, Person] = {}
        self._names: dict[str, list[Person]] = {}
        for person in self.people:
            if person.lms_user_id:
                self._lms.setdefault(person.lms_user_id.strip(), person)
            if person.email:
                self._email.setdefault(person.email.strip().casefold(), person)
            keys = {
                _name_key(person.name),
                _name_key(
                    ", ".join(p for p in (person.last_name, person.first_name) if p)
                ),
                _canvas_slug(person),
            }
            for key in keys - {""}:
                self._names.setdefault(key, []).append(person)

    def __len__(self) -> int:
        return len(self.people)

    def by_lms_user_id(self, value: str) -> Person | None:
        """The person with this LMS user id (Canvas's ``ID``), or None.

        Parameters
        ----------
        value : str
            The LMS user id.

        Returns
        -------
        Person or None
            The first person of the list with that id.

        Examples
        --------
        >>> Lookup([Person("s1", "Jane", "Smith", "", "101")]).by_lms_user_id("7")
        """
        return self._lms.get(value.strip()) if value.strip() else None

    def by_email(self, value: str) -> Person | None:
        """The person with this email address, regardless of case, or None.

        Parameters
        ----------
        value : str
            The email address.

        Returns
        -------
        Person or None
            The first person of the list with that address.

        Examples
        --------
        >>> Lookup([Person("s1", "Jane", "Smith", "J@X.org", "")]).by_email(" j@x.ORG ")
        Person(student_id='s1', first_name='Jane', last_name='Smith', email='J@X.org', lms_user_id='', section='')
        """
        key = value.strip().casefold()
        return self._email.get(key) if key else None

    def by_name(self, full_name: str) -> list[Person]:
        """Everyone whose name this is, in the list's order.

        ``full_name`` matches ``"First Last"``, ``"Last, First"`` or Canvas's
        slug (``"smithjane"`` for Jane Smith), after NFC normalisation,
        casefolding and collapsing whitespace.

        Parameters
        ----------
        full_name : str
            The name.

        Returns
        -------
        list of Person
            Every match: two students may share a name.

        Examples
        --------
        >>> find = Lookup([Person("s1", "Jane", "Smith", "", ""),
        ...                Person("s2", "Jane", "Smith", "", ""),
        ...                Person("s3", "小明", "王", "", "")])
        >>> [p.student_id for p in find.by_name(" jane   SMITH ")]
        ['s1', 's2']
        >>> [p.student_id for p in find.by_name("王小明")]
        ['s3']
        """
        key = _name_key(full_name)
        return list(self._names.get(key, [])) if key else []
