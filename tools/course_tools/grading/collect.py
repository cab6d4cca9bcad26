"""Collect students' notebooks from a learning-management system's zip export.

Canvas and Moodle hand an instructor every submission of an assignment as one zip
file, each with its own naming scheme. :func:`collect_zip` reads such a zip and
puts each student's notebook where nbgrader expects it,
``submitted/<student_id>/<assignment>/<notebook>.ipynb``, with a
:class:`CollectReport` that says, per student, what was collected and what needs
the instructor's attention.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from course_tools.grading._text import printable
from course_tools.grading.roster import SAFE_ID

__all__ = [
    "DEFAULT_PATTERN",
    "FACTS_FOLDER",
    "LAYOUTS",
    "MAX_FILE_SIZE",
    "MAX_TOTAL_SIZE",
    "CollectEntry",
    "CollectReport",
    "collect_zip",
    "read_facts",
]

#: Detect the layout of the zip (Canvas, Moodle or one folder per student).
DEFAULT_PATTERN = "auto"

#: The layouts :func:`collect_zip` recognises, tried in this order. Each regular
#: expression is matched against a whole entry name (``/`` separators) and has the
#: named groups ``student_id`` and ``file``; ``late``, when it matched, marks a
#: late submission, and ``user_id`` is the LMS's own numeric id of the student.
LAYOUTS: dict[str, re.Pattern[str]] = {
    "canvas": re.compile(
        r"(?P<student_id>[^/_]+)_(?:(?P<late>[Ll][Aa][Tt][Ee])_)?"
        r"(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<file>[^/]+)"
    ),
    # Folders as Moodle before 4.1 (trailing "_") and since (none) name them,
    # or flat files (the download's "without folders" option).
    "moodle": re.compile(
        r"(?P<full_name>[^/]+)_(?P<student_id>\d+)_assignsubmission_[a-z]+(?:_?/|_)"
        r"(?P<file>.+)"
    ),
    "plain": re.compile(r"(?P<student_id>[^/]+)/(?P<file>.+)"),
}

#: No single file larger than this (bytes, uncompressed) is extracted.
MAX_FILE_SIZE = 50 * 2**20

#: A zip whose files add up to more than this (bytes, uncompressed) is refused.
MAX_TOTAL_SIZE = 2**30

# A letter, digit or underscore first: never ".", and never "-", "@", "=" or "+",
# with which a spreadsheet would start a formula.
_SAFE_ID = SAFE_ID
_RESUBMISSION = re.compile(r"(?P<base>.+)-(?P<n>\d+)")
# Files that operating systems and Jupyter leave behind; never student work.
_JUNK_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# nbgrader reads the submission time from timestamp.txt: a student's own copy
# would let them choose it. The backups of replaced files live in .previous/.
_RESERVED = {"timestamp.txt", ".previous"}


@dataclass(frozen=True)
class CollectEntry:
    """One line of a :class:`CollectReport`.

    Parameters
    ----------
    student : str
        The student id, or ``""`` for an entry of the zip that belongs to no
        student.
    file : str
        The entry's name in the zip.
    message : str
        What happened, and what to do if anything.
    """

    student: str
    file: str
    message: str

    def __str__(self) -> str:
        # Names come from the zip: shown inert, never as terminal codes.
        who = printable(self.student, 130) if self.student else "(zip)"
        return f"{who}: {printable(self.file, 300)}: {printable(self.message, 900)}"


@dataclass
class CollectReport:
    """What :func:`collect_zip` did, student by student.

    Attributes
    ----------
    zip_path : str
        The zip that was read.
    assignment : str
        The assignment id.
    layout : str
        ``"canvas"``, ``"moodle"``, ``"plain"`` or ``"pattern"`` (an explicit
        regular expression).
    collected : list of CollectEntry
        Notebooks written to ``submitted/`` (new, or replacing a different one).
    unchanged : list of CollectEntry
        Notebooks already in ``submitted/`` with the same content.
    warnings : list of CollectEntry
        Collected, but worth a look: renamed notebooks, resubmissions, late
        submissions, skipped entries.
    errors : list of CollectEntry
        Students whose notebook was not collected, with what to do.
    notes : list of CollectEntry
        Extra files copied next to a notebook.
    """

    zip_path: str
    assignment: str
    layout: str
    collected: list[CollectEntry] = field(default_factory=list)
    unchanged: list[CollectEntry] = field(default_factory=list)
    warnings: list[CollectEntry] = field(default_factory=list)
    errors: list[CollectEntry] = field(default_factory=list)
    notes: list[CollectEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no student's notebook failed to be collected."""
        return not self.errors

    def summary(self) -> str:
        """A readable, multi-line summary of the report.

        Returns
        -------
        str
            One headline with the counts, then one section per non-empty list.

        Examples
        --------
        >>> report = CollectReport("subs.zip", "hw01", "plain")
        >>> report.errors.append(CollectEntry("bob", "bob/x.txt", "no notebook"))
        >>> print(report.summary())
        subs.zip (plain layout), hw01: 0 collected, 0 unchanged, 0 warnings, 1 error
        Errors (not collected):
          bob: bob/x.txt: no notebook
        """

        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        lines = [
            f"{printable(self.zip_path, 300)} ({self.layout} layout), "
            f"{printable(self.assignment, 130)}: "
            f"{len(self.collected)} collected, {len(self.unchanged)} unchanged, "
            f"{count(len(self.warnings), 'warning')}, "
            f"{count(len(self.errors), 'error')}"
        ]
        for title, entries in (
            ("Errors (not collected)", self.errors),
            ("Warnings", self.warnings),
            ("Collected", self.collected),
            ("Unchanged", self.unchanged),
            ("Notes", self.notes),
        ):
            if entries:
                lines.append(f"{title}:")
                lines.extend(f"  {entry}" for entry in entries)
        return "\n".join(lines)

    def print_summary(self, file: TextIO | None = None) -> None:
        """Print :meth:`summary` to ``file`` (standard output by default).

        Parameters
        ----------
        file : text stream, optional
            Where to print.

        Returns
        -------
        None

        Examples
        --------
        >>> CollectReport("subs.zip", "hw01", "canvas").print_summary()
        subs.zip (canvas layout), hw01: 0 collected, 0 unchanged, 0 warnings, 0 errors
        """
        print(self.summary(), file=sys.stdout if file is None else file)


@dataclass
class _Member:
    info: zipfile.ZipInfo
    file: str  # path inside the student's folder, "/"-separated
    late: bool
    user_id: str | None
    groups: dict[str, str | None] = field(default_factory=dict)


def _check_name(value: str, what: str) -> None:
    if not isinstance(value, str) or not _SAFE_ID.fullmatch(value):
        raise ValueError(
            f"{what} must be a safe folder name (letters, digits and ._-@, "
            f"starting with a letter, digit or _); got {printable(repr(value), 140)}"
        )


def _compile(pattern: str | re.Pattern[str]) -> tuple[str, re.Pattern[str] | None]:
    """The layout name and its regular expression (None: detect)."""
    if isinstance(pattern, str) and pattern in (DEFAULT_PATTERN, *LAYOUTS):
        return pattern, LAYOUTS.get(pattern)
    try:
        regex = re.compile(pattern)
    except (re.error, TypeError) as exc:
        raise ValueError(
            f"pattern must be 'auto', a layout name ({', '.join(LAYOUTS)}) or a "
            f"regular expression; got {pattern!r} ({exc})"
        ) from None
    if not {"student_id", "file"} <= set(regex.groupindex):
        raise ValueError(
            "pattern must have the named groups (?P<student_id>...) and "
            f"(?P<file>...); got {regex.pattern!r}"
        )
    return "pattern", regex


_UNSAFE_NAME_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _normalise(name: str) -> tuple[str, str | None]:
    """An entry name in one spelling, and why it must not be extracted (or None).

    Backslashes become ``/``, empty and ``.`` segments go, and Unicode is put
    in NFC form, so that every rule below sees one name for one file:
    ``alice/./timestamp.txt``, ``alice\\timestamp.txt`` and
    ``alice//timestamp.txt`` are all ``alice/timestamp.txt``.
    """
    if "\x00" in name:
        return name, "a path with a NUL character"
    if any(unicodedata.category(ch) in _UNSAFE_NAME_CATEGORIES for ch in name):
        return name, "a name with control or invisible formatting characters"
    spelled = unicodedata.normalize("NFC", name.replace("\\", "/"))
    if spelled.startswith("/") or re.match(r"[A-Za-z]:", spelled):
        return spelled, "an absolute path"
    parts = [part for part in spelled.split("/") if part not in ("", ".")]
    if ".." in parts:
        return spelled, "a path with '..' that would leave its folder"
    if not parts:
        return spelled, "an empty name"
    return "/".join(parts), None


def _is_junk(name: str) -> bool:
    parts = name.split("/")
    return bool(_JUNK_PARTS.intersection(parts)) or parts[-1] in _JUNK_NAMES


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _detect(names: list[str]) -> tuple[str, re.Pattern[str]]:
    """The layout that fits most entries (the first in LAYOUTS on a tie)."""
    counts = {
        layout: sum(bool(regex.fullmatch(name)) for name in names)
        for layout, regex in LAYOUTS.items()
    }
    best = max(counts, key=lambda layout: counts[layout])
    if counts[best] == 0:
        shown = ", ".join(repr(name) for name in names[:5])
        raise ValueError(
            "the zip's layout must be Canvas (<name>_<id>_<id>_<file>), Moodle "
            "(<Full Name>_<id>_assignsubmission_file_/<file>) or one folder per "
            f"student (<student_id>/<file>); got entries like {shown}: pass "
            "pattern=<regex with (?P<student_id>...) and (?P<file>...)>"
        )
    return best, LAYOUTS[best]


def _resubmission_number(filename: str, notebook: str) -> tuple[str, int]:
    """Canvas's resubmission suffix: ``hw01-2.ipynb`` -> ("hw01", 2)."""
    stem = PurePosixPath(filename).stem
    if stem == notebook:
        return stem, 0
    match = _RESUBMISSION.fullmatch(stem)
    if match:
        return match["base"], int(match["n"])
    return stem, 0


def _is_notebook(filename: str) -> bool:
    return filename.lower().endswith(".ipynb")


def _notebook_problem(data: bytes) -> str | None:
    """Why ``data`` is not a valid nbformat 4 notebook, or None if it is."""
    import nbformat  # about 1 s to import: only when a zip is collected

    try:
        content = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"is not valid JSON ({exc})"
    if not isinstance(content, dict) or content.get("nbformat") != 4:
        version = content.get("nbformat") if isinstance(content, dict) else None
        return f"is not an nbformat 4 notebook (nbformat = {version!r})"
    try:
        with warnings.catch_warnings():
            # Missing cell ids and the like are repaired by nbgrader: not errors.
            warnings.simplefilter("ignore")
            nbformat.validate(nbformat.from_dict(content))
    except nbformat.ValidationError as exc:
        first_line = str(exc.message).splitlines()[0] if exc.message else "invalid"
        return f"is not a valid nbformat 4 notebook ({first_line})"
    except (TypeError, KeyError, AttributeError) as exc:
        # nbformat repairs cell ids before it validates, and that step fails on
        # some malformed notebooks (e.g. "cells" that is not a list).
        return f"is not a valid nbformat 4 notebook ({type(exc).__name__}: {exc})"
    return None


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes; never more than ``limit`` are decompressed."""
    with zf.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it expands to more than {limit:,} bytes")
    return data


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(target: Path, data: bytes, folder: Path, stamp: str) -> str:
    """Write ``data`` at ``target`` atomically; keep a different old version.

    Returns ``"new"``, ``"unchanged"`` or the path of the backup of the
    replaced file, relative to ``folder``.
    """
    backup = None
    if target.exists():
        if target.is_file() and target.read_bytes() == data:
            return "unchanged"
        rel = target.relative_to(folder)
        backup_dir = folder / ".previous" / rel.parent
        backup_dir.mkdir(parents=True, exist_ok=True)
        backup = backup_dir / f"{rel.stem}.{stamp}{rel.suffix}"
        n = 1
        while backup.exists():
            backup = backup_dir / f"{rel.stem}.{stamp}-{n}{rel.suffix}"
            n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if backup is not None:
            shutil.copy2(target, backup)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "new" if backup is None else backup.relative_to(folder).as_posix()


def collect_zip(
    zip_path: str | os.PathLike[str],
    assignment: str,
    *,
    root: str | os.PathLike[str] = ".",
    notebook: str | None = None,
    pattern: str | re.Pattern[str] = DEFAULT_PATTERN,
    max_file_size: int = MAX_FILE_SIZE,
    max_total_size: int = MAX_TOTAL_SIZE,
    expected_files: Iterable[str] = (),
    roster: Sequence[Any] | None = None,
    worksheet: Mapping[str, Mapping[str, Any]] | None = None,
) -> CollectReport:
    """Put each student's notebook from an LMS zip where nbgrader expects it.

    Every student's notebook goes to
    ``<root>/submitted/<student_id>/<assignment>/<notebook>.ipynb``, and their
    other files next to it, as ``nbgrader collect`` does. The zip is only read.

    The layout is detected from the entry names (or set with ``pattern``):

    ``canvas``
        Flat files ``<name>_<canvas id>_<submission id>_<file>``, or
        ``<name>_LATE_<canvas id>_<submission id>_<file>`` when late, e.g.
        ``smithjane_12345_67890_hw01.ipynb``: student ``smithjane``. Canvas renames
        a resubmitted file ``hw01-1.ipynb``, ``hw01-2.ipynb``, ...
    ``moodle``
        Folders ``<Full Name>_<id>_assignsubmission_file_/<file>`` (Moodle 4.1
        and later drop the last ``_``), e.g.
        ``Jane Smith_123456_assignsubmission_file_/hw01.ipynb``, or flat files
        ``<Full Name>_<id>_assignsubmission_file_<file>``: student ``123456``
        (without a roster).
    ``plain``
        One folder per student, ``<student_id>/<file>``, e.g.
        ``jsmith/hw01.ipynb``.

    Per student, with every other student still collected:

    - a notebook that is not valid JSON, or not a valid nbformat 4 notebook, is
      an error (ask the student to resubmit, or fix it and put it in place by
      hand);
    - no ``.ipynb`` at all is an error;
    - exactly one ``.ipynb`` with another name is collected under the expected
      name, with a warning naming the original;
    - several ``.ipynb`` are an error and nothing of that student is collected,
      except Canvas resubmissions of one file (``hw01.ipynb``, ``hw01-1.ipynb``,
      ...), where the highest number, the latest, is collected with a warning;
    - every entry name is first put in one spelling (backslashes as ``/``,
      no empty or ``.`` segments, Unicode NFC), so that no rule can be
      dodged by spelling a name another way;
    - the other files named in ``expected_files`` (the files the assignment
      released beside its notebook) are copied next to the notebook; any
      other file is left out, with a note: a student controls the content of
      the files the course expects, never which files exist in the course's
      folders;
    - absolute paths, paths with ``..``, names with control or invisible
      formatting characters, symbolic links, files over ``max_file_size``, a
      ``timestamp.txt`` (nbgrader reads the submission time from it) and
      ``.previous/`` are skipped with a warning; ``__MACOSX/``,
      ``.ipynb_checkpoints/``, ``__pycache__/``, ``.DS_Store``, ``Thumbs.db``
      and ``desktop.ini`` are ignored;
    - a student id that is not a safe folder name (letters, digits and ``._-@``,
      starting with a letter, digit or ``_``, at most 128 characters) is an
      error: it can then start neither a hidden folder nor a spreadsheet
      formula;
    - a student with an error gets nothing written.

    Every name in the report is printable: control characters in a name
    are shown as escapes, never sent to the instructor's terminal.

    A file already in ``submitted/`` with the same content is left alone
    (reported as unchanged). One with different content is first copied to
    ``.previous/<name>.<UTC time><suffix>`` in the same assignment folder. Every
    file is written to a temporary file and moved into place with
    :func:`os.replace`.

    Parameters
    ----------
    zip_path : str or path-like
        The zip exported by the LMS.
    assignment : str
        The nbgrader assignment id, e.g. ``"hw01"``.
    root : str or path-like, default "."
        The nbgrader course directory.
    notebook : str, optional
        The notebook's name without ``.ipynb``; defaults to ``assignment``.
    pattern : str or re.Pattern, default "auto"
        ``"auto"`` detects the layout, ``"canvas"``, ``"moodle"`` or ``"plain"``
        forces one, and any other value is a regular expression, matched against
        whole entry names (``/``-separated), with the named groups
        ``student_id`` and ``file`` (and optionally ``late``).
    max_file_size : int, default 50 MiB
        Larger files (uncompressed) are not extracted.
    max_total_size : int, default 1 GiB
        A zip whose extracted files would add up to more is refused.
    expected_files : iterable of str, default ()
        Paths, relative to the student's assignment folder, of the files
        other than the notebook that may be collected.
    roster : sequence of roster.Person, optional
        The class list (``course roster``). With it every submission is filed
        under the student id of the roster, found by a stable identity: the
        Canvas user id, the Moodle student's email (from ``worksheet``) or
        unique full name, or, in a plain layout, the folder named by a
        student id, email or LMS id of the roster. A submission of someone
        not on the roster is that student's error. Without it, Canvas
        submissions are filed under Canvas's name slug (or the Canvas user
        id where the slug is not a safe folder name or two users share it),
        and Moodle ones under the participant number, which Moodle draws
        anew for every assignment.
    worksheet : mapping, optional
        Moodle's grading worksheet for this assignment, as
        :func:`read_worksheet` returns it: ``{participant number: {"email":
        ..., "submitted_at": datetime or None}}``. It tells apart students
        with the same name, and gives each submission's time.

    Returns
    -------
    CollectReport
        Per student: collected, unchanged, warnings, errors and notes.

    Raises
    ------
    FileNotFoundError
        If ``zip_path`` does not exist.
    ValueError
        If ``zip_path`` is not a zip file, holds no files, fits no layout, would
        expand to more than ``max_total_size``, or if ``assignment``,
        ``notebook`` or ``pattern`` is malformed.

    Examples
    --------
    >>> import io, json, tempfile, zipfile
    >>> from pathlib import Path
    >>> import nbformat
    >>> course = Path(tempfile.mkdtemp())
    >>> nb = nbformat.writes(nbformat.v4.new_notebook())
    >>> with zipfile.ZipFile(course / "canvas.zip", "w") as zf:
    ...     zf.writestr("smithjane_12345_67890_hw01.ipynb", nb)
    ...     zf.writestr("doejohn_LATE_12346_67891_hw01-1.ipynb", nb)
    ...     zf.writestr("roebob_12347_67892_hw01.ipynb", "{not json")
    >>> report = collect_zip(course / "canvas.zip", "hw01", root=course)
    >>> [entry.student for entry in report.collected]
    ['doejohn', 'smithjane']
    >>> print(report.warnings[0])  # doctest: +NORMALIZE_WHITESPACE
    doejohn: doejohn_LATE_12346_67891_hw01-1.ipynb: collected as hw01.ipynb
    (the student named it hw01-1.ipynb)
    >>> print(report.errors[0])  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    roebob: roebob_12347_67892_hw01.ipynb: notebook is not valid JSON (...); ask
    the student to resubmit, or fix it and put it at
    submitted/roebob/hw01/hw01.ipynb by hand
    >>> sorted(p.parent.parent.name for p in course.glob("submitted/*/hw01/*.ipynb"))
    ['doejohn', 'smithjane']
    """
    _check_name(assignment, "assignment")
    notebook = assignment if notebook is None else notebook
    _check_name(notebook, "notebook")
    layout, regex = _compile(pattern)
    zip_path = Path(zip_path)
    _check_zip_path(zip_path)
    root = Path(root)
    expected = f"{notebook}.ipynb"
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with _open_zip(zip_path) as zf:
        infos, spelled = _entries(zf, zip_path)
        if regex is None:
            names = [name for name, _ in spelled]
            layout, regex = _detect(
                [name for name, reason in spelled if reason is None] or names
            )
        report = CollectReport(str(zip_path), assignment, layout)

        # 1. Sort every entry to its student, skipping what must not be extracted.
        matched = _match_entries(infos, spelled, regex, layout, report)
        identify = _Identify(layout, roster, worksheet, matched)
        students, who = _sort_by_student(matched, identify)
        if identify.note:
            report.warnings.append(CollectEntry("", str(zip_path), identify.note))

        # 2. Decide, per student, what to write.
        allowed = {_normalise(name)[0] for name in expected_files}
        plans = _plan_students(students, who, report, expected, layout, allowed)
        _check_total_size(plans, max_file_size, max_total_size)

        # 3. Write, one student at a time, with what the LMS said of each.
        facts = {}
        for student, plan in plans.items():
            folder = root / "submitted" / student / assignment
            written = _write_student(
                zf, student, plan, folder, root, stamp, max_file_size, report
            )
            if written:
                info = _student_facts(who[student], plan, students[student])
                facts[student] = info
                _write_timestamp(folder, info.get("submitted_at"))
        if facts:
            _record_facts(root, assignment, layout, facts, stamp)
    return report


def _check_zip_path(zip_path: Path) -> None:
    """Refuse a path that is not a zip file; errors say to download it again."""
    if not zip_path.exists():
        raise FileNotFoundError(
            f"zip_path must be an existing zip file; got {str(zip_path)!r}, which "
            "does not exist"
        )
    if not zip_path.is_file() or not zipfile.is_zipfile(zip_path):
        raise ValueError(
            f"zip_path must be a zip file; got {str(zip_path)!r}, which is not one: "
            "download the submissions from the LMS again"
        )


def _open_zip(zip_path: Path) -> zipfile.ZipFile:
    """The LMS's zip, opened for reading."""
    try:
        return zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise ValueError(
            f"zip_path must be a readable zip file; got {str(zip_path)!r} ({exc}): "
            "download the submissions from the LMS again"
        ) from None


def _entries(
    zf: zipfile.ZipFile, zip_path: Path
) -> tuple[list[zipfile.ZipInfo], list[tuple[str, str | None]]]:
    """The zip's files that are not junk, and each one's name in one spelling."""
    infos = [
        info
        for info in zf.infolist()
        if not info.is_dir()
        and not info.filename.replace("\\", "/").endswith("/")
        and not _is_junk(_normalise(info.filename)[0])
    ]
    if not infos:
        raise ValueError(
            f"zip_path must hold submissions; got {str(zip_path)!r}, which "
            "holds no files"
        )
    return infos, [_normalise(info.filename) for info in infos]


def _match_entries(
    infos: list[zipfile.ZipInfo],
    spelled: list[tuple[str, str | None]],
    regex: re.Pattern[str],
    layout: str,
    report: CollectReport,
) -> list[_Member]:
    """The entries that fit the layout; the others are skipped with a warning."""
    matched: list[_Member] = []
    for info, (name, reason) in zip(infos, spelled, strict=True):
        if reason is not None:
            report.warnings.append(
                CollectEntry("", info.filename, f"skipped: {reason}")
            )
            continue
        match = regex.fullmatch(name)
        if match is None:
            report.warnings.append(
                CollectEntry(
                    "",
                    info.filename,
                    f"skipped: does not fit the {layout} layout "
                    "(pass pattern=... to collect it)",
                )
            )
            continue
        groups = match.groupdict()
        member = _Member(
            info,
            (groups["file"] or "").strip("/"),
            bool(groups.get("late")),
            groups.get("user_id"),
            groups,
        )
        matched.append(member)
    return matched


def _sort_by_student(
    matched: list[_Member], identify: _Identify
) -> tuple[dict[str, list[_Member]], dict[str, _Who]]:
    """Each student's entries, and who the student is (from their first entry)."""
    students: dict[str, list[_Member]] = {}
    who: dict[str, _Who] = {}
    for member in matched:
        found = identify(member.groups)
        who.setdefault(found.student, found)
        students.setdefault(found.student, []).append(member)
    return students, who


def _plan_students(
    students: dict[str, list[_Member]],
    who: dict[str, _Who],
    report: CollectReport,
    expected: str,
    layout: str,
    allowed: set[str],
) -> dict[str, list[tuple[_Member, str, bool]]]:
    """Every student's plan (see :func:`_plan_student`), in order of student id."""
    plans: dict[str, list[tuple[_Member, str, bool]]] = {}
    for student in sorted(students):
        if who[student].error:
            report.errors.append(
                CollectEntry(
                    who[student].shown,
                    students[student][0].info.filename,
                    who[student].error,
                )
            )
            continue
        if who[student].warning:
            report.warnings.append(
                CollectEntry(
                    student,
                    students[student][0].info.filename,
                    who[student].warning,
                )
            )
        plan = _plan_student(
            student, students[student], report, expected, layout, allowed
        )
        if plan is not None:
            plans[student] = plan
    return plans


def _check_total_size(
    plans: dict[str, list[tuple[_Member, str, bool]]],
    max_file_size: int,
    max_total_size: int,
) -> None:
    """Refuse a zip whose files to extract add up to more than the limit."""
    sizes = [m.info.file_size for plan in plans.values() for m, *_ in plan]
    total = sum(size for size in sizes if size <= max_file_size)
    if total > max_total_size:
        raise ValueError(
            f"the zip's files must add up to at most {max_total_size:,} bytes "
            f"uncompressed; got {total:,}: unpack it by hand, or pass a larger "
            "max_total_size if you trust it"
        )


def _student_facts(
    who: _Who, plan: list[tuple[_Member, str, bool]], members: list[_Member]
) -> dict[str, Any]:
    """What the LMS said of a student's collected submission."""
    info = dict(who.info)
    chosen = plan[0][0].groups
    if chosen.get("submission_id"):
        # Canvas's id of the file graded: its bulk re-upload
        # attaches feedback to the submission holding that file.
        info["submission_id"] = chosen["submission_id"]
    info["late"] = any(m.late for m in members)
    return info


def _plan_student(
    student: str,
    members: list[_Member],
    report: CollectReport,
    expected: str,
    layout: str,
    allowed: set[str],
) -> list[tuple[_Member, str, bool]] | None:
    """(member, path in the assignment folder, is the notebook) for one student.

    Appends the student's errors and warnings to ``report``; None if nothing of
    theirs is to be written.
    """
    first = members[0].info.filename

    def error(file: str, message: str) -> None:
        report.errors.append(CollectEntry(student, file, message))

    def warn(file: str, message: str) -> None:
        report.warnings.append(CollectEntry(student, file, message))

    problem = _student_id_problem(student, members)
    if problem is not None:
        error(first, problem)
        return None
    usable = _usable_members(members, warn)
    notebooks = [m for m in usable if _is_notebook(m.file)]
    target = f"submitted/{student}/{report.assignment}/{expected}"

    if not notebooks:
        found = ", ".join(m.file for m in members)
        error(
            first,
            f"no .ipynb notebook among this student's files ({found}); ask the "
            f"student to submit {expected}, or put it at {target} by hand",
        )
        return None
    chosen = _choose_notebook(notebooks, expected, layout, warn)
    if chosen is None:
        listed = ", ".join(m.info.filename for m in notebooks)
        error(
            first,
            f"several notebooks submitted ({listed}); nothing collected for "
            f"this student: pick the right one and put it at {target} by hand",
        )
        return None
    if any(m.late for m in members):
        warn(
            chosen.info.filename,
            "the LMS marks this submission late: the course's late policy "
            "applies (c.Term.late_policy; the grades and the report show it)",
        )

    plan = [(chosen, expected, True)]
    for member in usable:
        if _is_notebook(member.file):
            continue
        if member.file in allowed:
            plan.append((member, member.file, False))
        else:
            # The student controls the content of the files the course expects,
            # nothing else: no name of theirs reaches the course's folders.
            report.notes.append(
                CollectEntry(
                    student,
                    member.info.filename,
                    f"not collected: the assignment expects only {expected}"
                    + (f" and {', '.join(sorted(allowed))}" if allowed else "")
                    + " (the file stays in the LMS export)",
                )
            )
    return plan


def _student_id_problem(student: str, members: list[_Member]) -> str | None:
    """Why nothing may be filed under ``student`` (unsafe or shared), or None."""
    if not _SAFE_ID.fullmatch(student):
        return (
            f"student id {student!r} must be a safe folder name (letters, digits "
            "and ._-@, starting with a letter, digit or _); collect this student "
            "by hand, or pass a pattern whose student_id group captures a safe id"
        )
    user_ids = sorted({m.user_id for m in members if m.user_id is not None})
    if len(user_ids) > 1:
        return (
            f"several LMS users ({', '.join(user_ids)}) share the student id "
            f"{student!r}; collect them by hand"
        )
    return None


def _usable_members(
    members: list[_Member], warn: Callable[[str, str], None]
) -> list[_Member]:
    """The members that may be written: no symbolic link, no reserved name."""
    usable = []
    for member in members:
        top = member.file.split("/")[0]
        if _is_symlink(member.info):
            warn(member.info.filename, "skipped: a symbolic link")
        elif top in _RESERVED:
            warn(
                member.info.filename,
                f"skipped: {top} is reserved (nbgrader and collect_zip use it)",
            )
        else:
            usable.append(member)
    return usable


def _choose_notebook(
    notebooks: list[_Member],
    expected: str,
    layout: str,
    warn: Callable[[str, str], None],
) -> _Member | None:
    """The notebook to collect, or None when several compete.

    Several notebooks are only allowed as Canvas resubmissions of one file,
    where the latest is chosen.
    """
    chosen = notebooks[0]
    if len(notebooks) > 1:
        versions = [_resubmission_number(m.file, expected[:-6]) for m in notebooks]
        numbers = [n for _, n in versions]
        one_file = len({base for base, _ in versions}) == 1
        if not (layout == "canvas" and one_file and len(set(numbers)) == len(numbers)):
            return None
        chosen = notebooks[numbers.index(max(numbers))]
        others = ", ".join(m.file for m in notebooks if m is not chosen)
        warn(
            chosen.info.filename,
            f"Canvas resubmission: collected {chosen.file}, the latest, as "
            f"{expected}; ignored {others}",
        )
    elif chosen.file != expected:
        warn(
            chosen.info.filename,
            f"collected as {expected} (the student named it {chosen.file})",
        )
    return chosen


def _write_student(
    zf: zipfile.ZipFile,
    student: str,
    plan: list[tuple[_Member, str, bool]],
    folder: Path,
    root: Path,
    stamp: str,
    max_file_size: int,
    report: CollectReport,
) -> bool:
    """Check the notebook, then write it and the student's other files.

    Files are read one at a time, so memory holds at most one of them.
    Returns whether the notebook is in place (written or unchanged).
    """
    resolved = folder.resolve()
    for member, rel, is_notebook in plan:
        name = member.info.filename
        path = folder / rel
        shown = path.relative_to(root).as_posix()
        problem, content = _read_member(zf, member, path, resolved, max_file_size)
        if problem is None and is_notebook:
            problem = _notebook_problem(content)
        if problem is not None and is_notebook:
            report.errors.append(
                CollectEntry(
                    student,
                    name,
                    f"notebook {problem}; ask the student to resubmit, or fix it "
                    f"and put it at {shown} by hand",
                )
            )
            return False  # the notebook comes first: nothing of this student is written
        if problem is not None:
            report.warnings.append(CollectEntry(student, name, f"skipped: {problem}"))
            continue
        try:
            outcome = _write(path, content, folder, stamp)
        except OSError as exc:
            (report.errors if is_notebook else report.warnings).append(
                CollectEntry(
                    student,
                    name,
                    f"could not be written to {shown} ({exc}); fix the folder and "
                    "collect again",
                )
            )
            if is_notebook:
                return False
            continue
        _report_written(report, student, name, shown, outcome, is_notebook)
    return True


def _read_member(
    zf: zipfile.ZipFile,
    member: _Member,
    path: Path,
    resolved: Path,
    max_file_size: int,
) -> tuple[str | None, bytes]:
    """Why ``member`` cannot be written at ``path`` (or None), and its bytes."""
    if member.info.file_size > max_file_size:
        return (
            f"is {member.info.file_size:,} bytes, over the limit of {max_file_size:,}",
            b"",
        )
    if not path.resolve().is_relative_to(resolved):
        return "it would be written outside the student's folder", b""
    try:
        return None, _read(zf, member.info, max_file_size)
    except (zipfile.BadZipFile, ValueError, RuntimeError, OSError) as exc:
        return f"cannot be read from the zip ({exc})", b""


def _report_written(
    report: CollectReport,
    student: str,
    name: str,
    shown: str,
    outcome: str,
    is_notebook: bool,
) -> None:
    """Record in ``report`` what :func:`_write` did with one file."""
    kept = (
        ""
        if outcome in ("new", "unchanged")
        else (f" (previous version kept in {outcome})")
    )
    if is_notebook and outcome == "unchanged":
        report.unchanged.append(CollectEntry(student, name, shown))
    elif is_notebook:
        what = "new" if outcome == "new" else "replaced"
        report.collected.append(CollectEntry(student, name, f"{what}: {shown}{kept}"))
    elif outcome != "unchanged":
        report.notes.append(
            CollectEntry(student, name, f"extra file copied to {shown}{kept}")
        )


# --------------------------------------------------------------------------
# Who each submission belongs to
# --------------------------------------------------------------------------


@dataclass
class _Who:
    student: str  # the folder to file it under (or a key for the error)
    shown: str  # how the report names the student
    info: dict[str, Any]  # what the LMS said: ids, name, time
    error: str | None = None
    warning: str | None = None


def _moodle_name(full_name: str) -> str:
    return " ".join(full_name.split())


class _Identify:
    """Maps one entry's groups to the student it belongs to."""

    def __init__(
        self,
        layout: str,
        roster: Sequence[Any] | None,
        worksheet: Mapping[str, Mapping[str, Any]] | None,
        members: list[_Member],
    ):
        from course_tools.grading.roster import Lookup

        self.layout = layout
        self.roster = list(roster) if roster else []
        self.lookup = Lookup(self.roster) if self.roster else None
        self.ids = {p.student_id: p for p in self.roster}
        self.worksheet = worksheet or {}
        self.note = ""
        # Canvas slugs shared by several users, or unsafe as folder names,
        # are replaced by the Canvas user id when there is no roster.
        users: dict[str, set[str]] = {}
        for m in members:
            if m.user_id is not None:
                users.setdefault(m.groups.get("student_id") or "", set()).add(m.user_id)
        self.shared = {slug for slug, ids in users.items() if len(ids) > 1}
        if layout == "moodle" and not self.roster and not self.worksheet:
            self.note = (
                "no roster: Moodle submissions are filed under their participant "
                "numbers, which Moodle draws anew for every assignment; import the "
                "class list first (`course roster`) so that each student keeps one "
                "id all term"
            )

    def __call__(self, groups: dict[str, str | None]) -> _Who:
        raw = groups.get("student_id") or ""
        if self.layout == "canvas" or groups.get("user_id"):
            return self._canvas(raw, groups)
        if self.layout == "moodle":
            return self._moodle(raw, groups)
        return self._plain(raw)

    @staticmethod
    def _found(person: Any, info: dict[str, Any]) -> _Who:
        """The roster's student: filed and shown under the roster's id."""
        return _Who(person.student_id, person.student_id, info)

    def _canvas(self, slug: str, groups: dict[str, str | None]) -> _Who:
        uid = groups.get("user_id") or ""
        info = {
            "lms_user_id": uid,
            "submission_id": groups.get("submission_id") or "",
            "lms_name": slug,
        }
        shown = f"{slug} (Canvas user {uid})"
        if self.lookup is not None:
            person = self.lookup.by_lms_user_id(uid)
            if person is None:
                return _Who(
                    f"canvas:{uid}",
                    shown,
                    info,
                    error=(
                        "not on the roster (no student with this Canvas user id): "
                        "import a fresh Canvas gradebook export with `course roster` "
                        "and collect again"
                    ),
                )
            return self._found(person, info)
        if _SAFE_ID.fullmatch(slug) and slug not in self.shared:
            return _Who(slug, slug, info)
        why = (
            "another Canvas user has the same name"
            if slug in self.shared
            else "the name is not a safe folder name"
        )
        return _Who(
            uid,
            uid,
            info,
            warning=(
                f"filed under the Canvas user id {uid}, since {why} ({slug}); "
                "import the roster (`course roster`) to file students by the "
                "roster's ids"
            ),
        )

    def _moodle(self, participant: str, groups: dict[str, str | None]) -> _Who:
        name = _moodle_name(groups.get("full_name") or "")
        row = self.worksheet.get(participant)
        info: dict[str, Any] = {"participant": participant, "lms_name": name}
        shown = f"{name} (participant {participant})"
        if row is not None:
            info["email"] = row.get("email") or ""
            if row.get("submitted_at") is not None:
                info["submitted_at"] = row["submitted_at"]
        email = info.get("email") or ""
        if self.lookup is None:
            if email and _SAFE_ID.fullmatch(email):
                return _Who(email, email, info)
            return _Who(participant, participant, info)
        if email:
            person = self.lookup.by_email(email)
            if person is not None:
                return self._found(person, info)
            return _Who(
                f"moodle:{participant}",
                shown,
                info,
                error=(
                    "not on the roster (the grading worksheet gives an email no "
                    "roster student has): import a fresh participants export with "
                    "`course roster` and collect again"
                ),
            )
        people = self.lookup.by_name(name)
        if len(people) == 1:
            return self._found(people[0], info)
        if not people:
            error = (
                "not on the roster (no student of that name): import a fresh "
                "participants export with `course roster`, or pass the assignment's "
                "grading worksheet (--worksheet), and collect again"
            )
        else:
            error = (
                f"{len(people)} students on the roster are named {name}: pass the "
                "assignment's grading worksheet (--worksheet) to tell them apart"
            )
        return _Who(f"moodle:{participant}", shown, info, error=error)

    def _plain(self, folder: str) -> _Who:
        if self.lookup is None:
            return _Who(folder, folder, {})
        person = (
            self.ids.get(folder)
            or self.lookup.by_email(folder)
            or self.lookup.by_lms_user_id(folder)
        )
        if person is None:
            return _Who(
                f"plain:{folder}",
                folder,
                {},
                error=(
                    "not on the roster (no student with this id, email or LMS id): "
                    "check the folder's name, or import a fresh roster with "
                    "`course roster`"
                ),
            )
        return self._found(person, {})


# --------------------------------------------------------------------------
# What the LMS said of each submission, kept beside the submissions
# --------------------------------------------------------------------------

#: Where collect keeps, per assignment, what the LMS said of each submission
#: (ids, names, late flags, times): ``submitted/.lms/<assignment>.json``. A
#: folder name starting with a dot is never a student id.
FACTS_FOLDER = ".lms"
#: The most bytes of such a file read back.
MAX_FACTS_BYTES = 16 * 2**20


def _write_timestamp(folder: Path, when: Any) -> None:
    """nbgrader's ``timestamp.txt``: the LMS's submission time, in UTC."""
    if not isinstance(when, _dt.datetime):
        return
    when = when.astimezone(_dt.UTC) if when.tzinfo else when.replace(tzinfo=_dt.UTC)
    _write(
        folder / "timestamp.txt",
        when.strftime("%Y-%m-%d %H:%M:%S.%f UTC").encode(),
        folder,
        _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
    )


def _record_facts(
    root: Path,
    assignment: str,
    layout: str,
    facts: dict[str, dict[str, Any]],
    stamp: str,
) -> None:
    path = root / "submitted" / FACTS_FOLDER / f"{assignment}.json"
    known = read_facts(root, assignment)
    for student, info in facts.items():
        info = {
            k: (v.isoformat() if isinstance(v, _dt.datetime) else v)
            for k, v in info.items()
        }
        known[student] = {"layout": layout, **info}
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(known, indent=1, sort_keys=True, ensure_ascii=False)
    _write(path, data.encode("utf-8"), path.parent, stamp)


def read_facts(
    root: str | os.PathLike[str], assignment: str
) -> dict[str, dict[str, Any]]:
    """What the LMS said of each collected submission of ``assignment``.

    Parameters
    ----------
    root : str or path-like
        The course directory.
    assignment : str
        The assignment id.

    Returns
    -------
    dict
        ``{student id: {"layout", "lms_user_id", "submission_id",
        "participant", "lms_name", "email", "late", "submitted_at"}}`` (the
        keys the LMS gave), empty if nothing was collected from an LMS export
        or the file is unreadable.

    Examples
    --------
    >>> import tempfile
    >>> read_facts(tempfile.mkdtemp(), "hw01")
    {}
    """
    path = Path(root) / "submitted" / FACTS_FOLDER / f"{assignment}.json"
    try:
        if path.is_symlink() or not path.is_file():
            return {}
        with path.open("rb") as handle:
            data = handle.read(MAX_FACTS_BYTES + 1)
        if len(data) > MAX_FACTS_BYTES:
            return {}
        known = json.loads(data)
    except (OSError, ValueError):
        return {}
    if not isinstance(known, dict):
        return {}
    return {
        str(k): v
        for k, v in known.items()
        if isinstance(v, dict) and _SAFE_ID.fullmatch(str(k))
    }
