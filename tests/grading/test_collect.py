import datetime as dt
import hashlib
import io
import re
import stat
import zipfile

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.grading.collect import (
    FACTS_FOLDER,
    CollectReport,
    collect_zip,
    read_facts,
)
from course_tools.grading.roster import Person


def _nb(text: str = "") -> bytes:
    """A valid notebook whose content depends on ``text``."""
    cell = new_code_cell(text)
    cell.id = "cell-1"  # the default is random: keep equal notebooks equal
    return nbformat.writes(new_notebook(cells=[cell])).encode()


def _zip(path, entries: dict[str, bytes | str], symlinks=()) -> str:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in symlinks:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return str(path)


def _by_student(entries) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in entries:
        out.setdefault(entry.student, []).append(entry.message)
    return out


def _submitted(root) -> list[str]:
    """Every file collected for students (not what the LMS said, in submitted/.lms)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in (root / "submitted").rglob("*")
        if p.is_file() and FACTS_FOLDER not in p.relative_to(root).parts
    )


# --- layouts ---------------------------------------------------------------------


def test_canvas_layout_late_and_resubmissions(tmp_path):
    path = _zip(
        tmp_path / "canvas.zip",
        {
            "smithjane_12345_67890_hw01.ipynb": _nb("jane"),
            "doejohn_LATE_12346_67891_hw01.ipynb": _nb("john v0"),
            "doejohn_LATE_12346_67891_hw01-2.ipynb": _nb("john v2"),
            "doejohn_LATE_12346_67891_hw01-1.ipynb": _nb("john v1"),
            "roebob_12347_67892_hw01-1.ipynb": _nb("bob"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    assert report.layout == "canvas"
    assert report.errors == []
    assert sorted(e.student for e in report.collected) == [
        "doejohn",
        "roebob",
        "smithjane",
    ]
    sub = tmp_path / "submitted"
    assert (sub / "smithjane/hw01/hw01.ipynb").read_bytes() == _nb("jane")
    # The highest -N is the latest resubmission.
    assert (sub / "doejohn/hw01/hw01.ipynb").read_bytes() == _nb("john v2")
    assert (sub / "roebob/hw01/hw01.ipynb").read_bytes() == _nb("bob")
    warnings = _by_student(report.warnings)
    assert any("resubmission" in m and "hw01-2.ipynb" in m for m in warnings["doejohn"])
    assert any("late" in m for m in warnings["doejohn"])
    # A single renamed file is collected with a warning naming the original.
    assert warnings["roebob"] == [
        "collected as hw01.ipynb (the student named it hw01-1.ipynb)"
    ]
    assert "smithjane" not in warnings
    assert _submitted(tmp_path) == [
        "submitted/doejohn/hw01/hw01.ipynb",
        "submitted/roebob/hw01/hw01.ipynb",
        "submitted/smithjane/hw01/hw01.ipynb",
    ]


def test_canvas_files_of_different_names_are_duplicates(tmp_path):
    path = _zip(
        tmp_path / "c.zip",
        {
            "smithjane_1_2_hw01.ipynb": _nb("a"),
            "smithjane_1_2_scratch.ipynb": _nb("b"),
            "doejohn_3_4_hw01.ipynb": _nb("c"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    (error,) = report.errors
    assert error.student == "smithjane"
    assert "several notebooks" in error.message
    assert "smithjane_1_2_hw01.ipynb" in error.message
    assert "smithjane_1_2_scratch.ipynb" in error.message
    assert _submitted(tmp_path) == ["submitted/doejohn/hw01/hw01.ipynb"]


def test_canvas_two_users_with_one_name_are_not_merged(tmp_path):
    path = _zip(
        tmp_path / "c.zip",
        {"leeann_1_2_hw01.ipynb": _nb("a"), "leeann_7_8_hw01.ipynb": _nb("b")},
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    # Without a roster, each is filed under their Canvas user id, with a warning.
    assert report.errors == []
    assert _submitted(tmp_path) == [
        "submitted/1/hw01/hw01.ipynb",
        "submitted/7/hw01/hw01.ipynb",
    ]
    assert [w.student for w in report.warnings] == ["1", "7"]
    assert all(
        "another Canvas user has the same name" in w.message for w in report.warnings
    )


def test_moodle_layout_with_expected_and_unexpected_files(tmp_path):
    folder = "Jane Smith_123456_assignsubmission_file_"
    path = _zip(
        tmp_path / "moodle.zip",
        {
            f"{folder}/hw01.ipynb": _nb("jane"),
            f"{folder}/data/extra.csv": "a,b\n1,2\n",
            f"{folder}/scratch.py": "x = 1\n",
            "John Doe_654321_assignsubmission_file_/hw01.ipynb": _nb("john"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path, expected_files=["data/extra.csv"])
    assert report.layout == "moodle"
    (note,) = report.warnings  # participant numbers change: import a roster
    assert report.errors == [] and "anew for every assignment" in note.message
    assert _submitted(tmp_path) == [
        "submitted/123456/hw01/data/extra.csv",
        "submitted/123456/hw01/hw01.ipynb",
        "submitted/654321/hw01/hw01.ipynb",
    ]
    assert (tmp_path / "submitted/123456/hw01/data/extra.csv").read_text() == (
        "a,b\n1,2\n"
    )
    left_out, copied = report.notes
    assert copied.student == left_out.student == "123456"
    assert "extra file copied to submitted/123456/hw01/data/extra.csv" in copied.message
    assert left_out.file.endswith("scratch.py")
    assert "not collected: the assignment expects only hw01.ipynb" in left_out.message


def test_plain_layout_every_rule(tmp_path):
    path = _zip(
        tmp_path / "plain.zip",
        {
            "alice/hw01.ipynb": _nb("alice"),
            "alice/notes.txt": "my notes",
            "bob/My Homework (1).ipynb": _nb("bob"),
            "carol/hw01.ipynb": _nb("carol 1"),
            "carol/hw01 copy.ipynb": _nb("carol 2"),
            "carol/figure.png": b"\x89PNG",
            "dave/hw01.pdf": b"%PDF",
            "eve/hw01.ipynb": '{"cells": [',
            "frank/hw01.ipynb": '{"nbformat": 3, "worksheets": []}',
            "gina/hw01.ipynb": '{"nbformat": 4, "nbformat_minor": 5, "cells": 7}',
            # -N is Canvas's resubmission suffix only in a Canvas zip.
            "hank/hw01.ipynb": _nb("hank"),
            "hank/hw01-1.ipynb": _nb("hank 1"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    assert report.layout == "plain"
    assert sorted(e.student for e in report.collected) == ["alice", "bob"]
    errors = _by_student(report.errors)
    assert sorted(errors) == ["carol", "dave", "eve", "frank", "gina", "hank"]
    (carol,) = errors["carol"]
    assert "several notebooks" in carol
    assert "carol/hw01.ipynb" in carol and "carol/hw01 copy.ipynb" in carol
    (dave,) = errors["dave"]
    assert "no .ipynb" in dave and "hw01.pdf" in dave
    (eve,) = errors["eve"]
    assert "not valid JSON" in eve
    assert "ask the student to resubmit" in eve
    assert "submitted/eve/hw01/hw01.ipynb by hand" in eve
    eve_entry = next(e for e in report.errors if e.student == "eve")
    assert eve_entry.file == "eve/hw01.ipynb"
    assert "not an nbformat 4 notebook (nbformat = 3)" in errors["frank"][0]
    assert "not a valid nbformat 4 notebook" in errors["gina"][0]
    assert "several notebooks" in errors["hank"][0]
    assert _by_student(report.warnings) == {
        "bob": ["collected as hw01.ipynb (the student named it My Homework (1).ipynb)"]
    }
    # Only the expected notebook is written; students with an error get nothing.
    assert _submitted(tmp_path) == [
        "submitted/alice/hw01/hw01.ipynb",
        "submitted/bob/hw01/hw01.ipynb",
    ]
    assert [e.file for e in report.notes] == ["alice/notes.txt"]
    assert report.ok is False


def test_explicit_pattern_overrides_detection(tmp_path):
    path = _zip(
        tmp_path / "flat.zip",
        {"hw01-alice.ipynb": _nb("a"), "hw01-bob.ipynb": _nb("b")},
    )
    with pytest.raises(ValueError, match="layout must be Canvas"):
        collect_zip(path, "hw01", root=tmp_path)
    pattern = r"(?P<file>hw01-(?P<student_id>[a-z]+)\.ipynb)"
    report = collect_zip(path, "hw01", root=tmp_path, pattern=pattern)
    assert report.layout == "pattern"
    assert _submitted(tmp_path) == [
        "submitted/alice/hw01/hw01.ipynb",
        "submitted/bob/hw01/hw01.ipynb",
    ]
    # A compiled pattern works too, and a named layout forces that layout.
    report = collect_zip(path, "hw01", root=tmp_path, pattern=re.compile(pattern))
    assert len(report.unchanged) == 2
    moodle = _zip(
        tmp_path / "m.zip",
        {"Jane Smith_123456_assignsubmission_file_/hw01.ipynb": _nb()},
    )
    report = collect_zip(moodle, "hw01", root=tmp_path / "m", pattern="plain")
    (error,) = report.errors
    assert "must be a safe folder name" in error.message


def test_notebook_name_differs_from_assignment(tmp_path):
    path = _zip(tmp_path / "z.zip", {"alice/main.ipynb": _nb()})
    report = collect_zip(path, "hw01", root=tmp_path, notebook="main")
    assert report.warnings == []
    assert _submitted(tmp_path) == ["submitted/alice/hw01/main.ipynb"]


def test_unsafe_student_ids_are_errors(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {
            "ok.name-1@uni/hw01.ipynb": _nb(),
            "bad id!/hw01.ipynb": _nb(),
            ".hidden/hw01.ipynb": _nb(),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    assert sorted(e.student for e in report.errors) == [".hidden", "bad id!"]
    assert all("safe folder name" in e.message for e in report.errors)
    assert _submitted(tmp_path) == ["submitted/ok.name-1@uni/hw01/hw01.ipynb"]


def test_windows_separators_and_junk_are_handled(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {
            "alice\\hw01.ipynb": _nb(),
            "__MACOSX/alice/._hw01.ipynb": b"\x00\x05",
            "alice/.ipynb_checkpoints/hw01-checkpoint.ipynb": _nb("old"),
            "alice/.DS_Store": b"\x00",
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    assert report.errors == [] and report.warnings == [] and report.notes == []
    assert _submitted(tmp_path) == ["submitted/alice/hw01/hw01.ipynb"]


# --- dangerous entries -----------------------------------------------------------


def test_dangerous_entries_are_skipped(tmp_path):
    root = tmp_path / "course"
    path = _zip(
        tmp_path / "z.zip",
        {
            "alice/hw01.ipynb": _nb(),
            "../evil.txt": "escape",
            "alice/../../evil2.txt": "escape",
            "/abs.txt": "absolute",
            "alice/timestamp.txt": "2000-01-01 00:00:00",
            "alice/.previous/hw01.x.ipynb": "fake backup",
            "alice/big.bin": b"0" * 2000,
        },
        symlinks=[("alice/link.txt", "/etc/passwd")],
    )
    report = collect_zip(
        path, "hw01", root=root, max_file_size=1000, expected_files=["big.bin"]
    )
    assert [e.student for e in report.collected] == ["alice"]
    skipped = {e.file: e.message for e in report.warnings}
    assert "path with '..'" in skipped["../evil.txt"]
    assert "path with '..'" in skipped["alice/../../evil2.txt"]
    assert "absolute path" in skipped["/abs.txt"]
    assert "symbolic link" in skipped["alice/link.txt"]
    assert "reserved" in skipped["alice/timestamp.txt"]
    assert "reserved" in skipped["alice/.previous/hw01.x.ipynb"]
    assert "over the limit of 1,000" in skipped["alice/big.bin"]
    assert _submitted(root) == ["submitted/alice/hw01/hw01.ipynb"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "z.zip"]
    assert not any(p.is_symlink() for p in root.rglob("*"))


def test_oversized_notebook_is_an_error(tmp_path):
    path = _zip(tmp_path / "z.zip", {"alice/hw01.ipynb": _nb("x" * 3000)})
    report = collect_zip(path, "hw01", root=tmp_path, max_file_size=1000)
    (error,) = report.errors
    assert "over the limit" in error.message and "resubmit" in error.message
    assert not (tmp_path / "submitted").exists()


def test_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {"alice/hw01.ipynb": _nb(), "alice/zeros.bin": b"\0" * 3_000_000},
    )
    assert (tmp_path / "z.zip").stat().st_size < 20_000
    with pytest.raises(ValueError, match=r"at most 1,000,000 bytes.*got 3,00"):
        collect_zip(
            path,
            "hw01",
            root=tmp_path,
            max_total_size=1_000_000,
            expected_files=["zeros.bin"],
        )
    assert not (tmp_path / "submitted").exists()


# --- never lose anything ---------------------------------------------------------


def test_existing_different_file_is_kept_and_same_file_unchanged(tmp_path):
    target = tmp_path / "submitted/alice/hw01/hw01.ipynb"
    target.parent.mkdir(parents=True)
    target.write_bytes(_nb("first attempt"))
    extra = target.parent / "notes.txt"
    extra.write_text("old notes")
    path = _zip(
        tmp_path / "z.zip",
        {"alice/hw01.ipynb": _nb("second"), "alice/notes.txt": "new notes"},
    )
    digest = hashlib.sha256((tmp_path / "z.zip").read_bytes()).hexdigest()

    report = collect_zip(path, "hw01", root=tmp_path, expected_files=["notes.txt"])
    (entry,) = report.collected
    assert entry.message.startswith("replaced: submitted/alice/hw01/hw01.ipynb")
    assert target.read_bytes() == _nb("second")
    (backup,) = (target.parent / ".previous").glob("*.ipynb")
    assert re.fullmatch(r"hw01\.\d{8}T\d{6}Z\.ipynb", backup.name)
    assert backup.read_bytes() == _nb("first attempt")
    assert extra.read_text() == "new notes"
    (old_notes,) = (target.parent / ".previous").glob("notes.*.txt")
    assert old_notes.read_text() == "old notes"
    assert "previous version kept in .previous/notes." in report.notes[0].message

    # Collecting the same zip again changes nothing and keeps no new backup.
    again = collect_zip(path, "hw01", root=tmp_path, expected_files=["notes.txt"])
    assert again.collected == [] and again.notes == []
    assert [e.student for e in again.unchanged] == ["alice"]
    assert len(list((target.parent / ".previous").iterdir())) == 2
    # The zip is only read, and no temporary file is left behind.
    assert hashlib.sha256((tmp_path / "z.zip").read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in target.parent.iterdir()) == [
        ".previous",
        "hw01.ipynb",
        "notes.txt",
    ]


def test_second_replacement_in_the_same_second_gets_its_own_backup(tmp_path):
    target = tmp_path / "submitted/alice/hw01/hw01.ipynb"
    for n in range(3):
        path = _zip(tmp_path / f"z{n}.zip", {"alice/hw01.ipynb": _nb(str(n))})
        collect_zip(path, "hw01", root=tmp_path)
    backups = sorted(p.read_bytes() for p in (target.parent / ".previous").iterdir())
    assert backups == sorted([_nb("0"), _nb("1")])
    assert target.read_bytes() == _nb("2")


# --- the report and bad input ----------------------------------------------------


def test_summary_lists_every_section(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {"alice/hw01.ipynb": _nb(), "bob/x.ipynb": _nb(), "carol/x.txt": "x"},
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    text = report.summary()
    first = text.splitlines()[0]
    assert first.endswith(
        "(plain layout), hw01: 2 collected, 0 unchanged, 1 warning, 1 error"
    )
    assert text.index("Errors") < text.index("Warnings") < text.index("Collected")
    assert "  carol: carol/x.txt: no .ipynb" in text
    buffer = io.StringIO()
    report.print_summary(buffer)
    assert buffer.getvalue() == text + "\n"
    assert isinstance(report, CollectReport)


def test_bad_zip_and_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"must be an existing zip.*missing"):
        collect_zip(tmp_path / "missing.zip", "hw01", root=tmp_path)
    (tmp_path / "notes.zip").write_text("not a zip")
    with pytest.raises(ValueError, match="must be a zip file"):
        collect_zip(tmp_path / "notes.zip", "hw01", root=tmp_path)
    with pytest.raises(ValueError, match="must be a zip file"):
        collect_zip(tmp_path, "hw01", root=tmp_path)
    empty = _zip(tmp_path / "empty.zip", {"__MACOSX/._x": b""})
    with pytest.raises(ValueError, match="holds no files"):
        collect_zip(empty, "hw01", root=tmp_path)
    good = _zip(tmp_path / "good.zip", {"alice/hw01.ipynb": _nb()})
    with pytest.raises(ValueError, match="assignment must be a safe folder name"):
        collect_zip(good, "../hw01", root=tmp_path)
    with pytest.raises(ValueError, match="notebook must be a safe folder name"):
        collect_zip(good, "hw01", root=tmp_path, notebook="a/b")
    with pytest.raises(ValueError, match="named groups"):
        collect_zip(good, "hw01", root=tmp_path, pattern=r"(?P<student>\w+)/.*")
    with pytest.raises(ValueError, match="regular expression"):
        collect_zip(good, "hw01", root=tmp_path, pattern="(unclosed")
    assert not (tmp_path / "submitted").exists()


# --- names spelled to dodge the rules ------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "alice/./timestamp.txt",
        "alice\\timestamp.txt",
        "alice//timestamp.txt",
        "alice/./.previous/hw01.x.ipynb",
        "alice\\.\\timestamp.txt",
    ],
)
def test_reserved_names_are_reserved_however_spelled(tmp_path, spelling):
    path = _zip(
        tmp_path / "z.zip",
        {"alice/hw01.ipynb": _nb(), spelling: "2000-01-01 00:00:00"},
    )
    report = collect_zip(path, "hw01", root=tmp_path, expected_files=["notes.txt"])
    assert [e.student for e in report.collected] == ["alice"]
    assert _submitted(tmp_path) == ["submitted/alice/hw01/hw01.ipynb"]
    assert any("reserved" in e.message for e in report.warnings)


def test_only_the_files_the_course_expects_are_written(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {
            "alice/hw01.ipynb": _nb(),
            "alice/.course-grade.json": '{"result": {"parts": []}}',
            "alice/gradebook.db": "x",
            "alice/sub/../notes.txt": "x",
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    assert _submitted(tmp_path) == ["submitted/alice/hw01/hw01.ipynb"]
    assert not (tmp_path / "submitted/alice/hw01/.course-grade.json").exists()
    assert {e.file for e in report.notes} == {
        "alice/.course-grade.json",
        "alice/gradebook.db",
    }


def test_control_characters_never_reach_the_terminal(tmp_path):
    path = _zip(
        tmp_path / "z.zip",
        {
            "alice/hw01.ipynb": _nb(),
            "alice/\x1b[2J\x1b]0;pwned\x07.txt": "x",
            "bob\u202e/hw01.ipynb": _nb(),
            "carol/hw01.ipynb": _nb(),
            "carol/x\r\x1b[1Aok.txt": "x",
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path)
    text = report.summary()
    assert not any(ch in text for ch in "\x1b\x07\r\u202e")
    assert "\\x1b[2J" in text and "\\u202e" in text
    assert _submitted(tmp_path) == [
        "submitted/alice/hw01/hw01.ipynb",
        "submitted/carol/hw01/hw01.ipynb",
    ]


@pytest.mark.parametrize(
    "student", ["=cmd|' /C calc'!A0", "-2", "@attacker", "+1", "-1.5"]
)
def test_a_student_id_never_starts_a_formula(tmp_path, student):
    path = _zip(tmp_path / "z.zip", {f"{student}/hw01.ipynb": _nb()})
    report = collect_zip(path, "hw01", root=tmp_path)
    assert report.collected == []
    (error,) = report.errors
    assert "safe folder name" in error.message
    assert not (tmp_path / "submitted").exists()


def test_collect_refuses_an_assignment_that_was_never_released(tmp_path, capsys):
    from course_tools.grading.cli import main

    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    (tmp_path / "release" / "hw01").mkdir(parents=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("smithjane_12345_67890_hw01.ipynb", "{}")
    code = main(["--root", str(tmp_path), "collect", str(archive), "hw1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "released (hw01); got 'hw1'" in err and "course release hw1" in err
    assert not (tmp_path / "submitted").exists()


# --- with a roster: stable identities --------------------------------------------

ROSTER = [
    Person("jsmith", "Jane", "Smith", "jane@x.edu", "101"),
    Person("zangstrom", "Zoë", "Ångström", "zoe@x.edu", "102"),
    Person("alee", "Ann", "Lee", "ann@x.edu", "103"),
    Person("alee2", "Ann", "Lee", "ann2@x.edu", "104"),
    Person("lilei", "雷", "李", "li@x.edu", "105"),
]


def test_canvas_submissions_are_filed_under_the_roster_ids(tmp_path):
    path = _zip(
        tmp_path / "c.zip",
        {
            "smithjane_101_9001_hw01.ipynb": _nb("jane"),
            "ångströmzoë_LATE_102_9002_hw01.ipynb": _nb("zoe old"),
            "ångströmzoë_LATE_102_9003_hw01-1.ipynb": _nb("zoe new"),
            "leeann_103_9004_hw01.ipynb": _nb("ann"),
            "leeann_104_9005_hw01.ipynb": _nb("ann2"),
            "李雷_105_9006_hw01.ipynb": _nb("li"),
            "intruder_999_9007_hw01.ipynb": _nb("who?"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path, roster=ROSTER)
    assert _submitted(tmp_path) == [
        f"submitted/{s}/hw01/hw01.ipynb"
        for s in ("alee", "alee2", "jsmith", "lilei", "zangstrom")
    ]
    # Canvas's resubmission and late handling whatever the key.
    nb = (tmp_path / "submitted/zangstrom/hw01/hw01.ipynb").read_bytes()
    assert nb == _nb("zoe new")
    (error,) = report.errors
    assert "999" in error.student and "not on the roster" in error.message
    facts = read_facts(tmp_path, "hw01")
    assert facts["zangstrom"]["late"] is True and facts["jsmith"]["late"] is False
    # The file graded is the one Canvas's re-upload attaches feedback to.
    assert facts["zangstrom"]["submission_id"] == "9003"
    assert facts["alee2"]["lms_user_id"] == "104"
    assert facts["lilei"]["lms_name"] == "李雷"


def test_canvas_without_a_roster_files_unicode_names_under_the_user_id(tmp_path):
    path = _zip(tmp_path / "c.zip", {"ångströmzoë_102_9002_hw01.ipynb": _nb("z")})
    report = collect_zip(path, "hw01", root=tmp_path)
    assert _submitted(tmp_path) == ["submitted/102/hw01/hw01.ipynb"]
    assert report.errors == [] and "Canvas user id 102" in report.warnings[0].message


def _moodle_zip(path, people: dict[str, str]) -> str:
    return _zip(
        path,
        {
            f"{name}_{number}_assignsubmission_file_/hw.ipynb": _nb(name + number)
            for number, name in people.items()
        },
    )


def test_moodle_numbers_of_each_homework_map_to_the_same_students(tmp_path):
    # Moodle draws new participant numbers for every assignment.
    for hw, numbers in (
        ("hw01", ("3101", "3103", "3104")),
        ("hw02", ("7720", "7702", "7755")),
    ):
        names = dict(zip(numbers, ("Jane Smith", "Ann Lee", "Ann Lee"), strict=True))
        sheet = {
            n: {"email": e, "submitted_at": None}
            for n, e in zip(
                numbers, ("JANE@x.edu", "ann@x.edu", "ann2@x.edu"), strict=True
            )
        }
        path = _moodle_zip(tmp_path / f"{hw}.zip", names)
        report = collect_zip(
            path, hw, root=tmp_path, notebook="hw", roster=ROSTER, worksheet=sheet
        )
        assert report.errors == [], report.summary()
    assert _submitted(tmp_path) == [
        f"submitted/{s}/{hw}/hw.ipynb"
        for s in ("alee", "alee2", "jsmith")
        for hw in ("hw01", "hw02")
    ]
    assert read_facts(tmp_path, "hw02")["jsmith"]["participant"] == "7720"


def test_moodle_names_match_the_roster_unless_two_students_share_one(tmp_path):
    path = _moodle_zip(
        tmp_path / "m.zip",
        {
            "11": "Zoë  Ångström",
            "12": "Ann Lee",
            "13": "Nobody Known",
            "14": "Jane Smith",
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path, notebook="hw", roster=ROSTER)
    assert _submitted(tmp_path) == [
        "submitted/jsmith/hw01/hw.ipynb",
        "submitted/zangstrom/hw01/hw.ipynb",
    ]
    errors = {e.student: e.message for e in report.errors}
    assert (
        "2 students on the roster are named Ann Lee"
        in errors["Ann Lee (participant 12)"]
    )
    assert "--worksheet" in errors["Ann Lee (participant 12)"]
    assert "not on the roster" in errors["Nobody Known (participant 13)"]


def test_moodle_worksheet_times_become_nbgrader_timestamps(tmp_path):
    when = dt.datetime(2027, 1, 26, 4, 59, 30, tzinfo=dt.UTC)
    sheet = {"21": {"email": "zoe@x.edu", "submitted_at": when}}
    path = _moodle_zip(tmp_path / "m.zip", {"21": "Zoë Ångström"})
    collect_zip(
        path, "hw01", root=tmp_path, notebook="hw", roster=ROSTER, worksheet=sheet
    )
    from nbgrader.utils import parse_utc

    stamp = (tmp_path / "submitted/zangstrom/hw01/timestamp.txt").read_text()
    assert parse_utc(stamp) == when.replace(tzinfo=None)
    assert read_facts(tmp_path, "hw01")["zangstrom"]["submitted_at"] == when.isoformat()


def test_plain_folders_match_roster_ids_emails_or_lms_ids(tmp_path):
    path = _zip(
        tmp_path / "p.zip",
        {
            "jsmith/hw01.ipynb": _nb("a"),
            "zoe@x.edu/hw01.ipynb": _nb("b"),
            "103/hw01.ipynb": _nb("c"),
            "jsmtih/hw01.ipynb": _nb("typo"),
        },
    )
    report = collect_zip(path, "hw01", root=tmp_path, roster=ROSTER)
    assert _submitted(tmp_path) == [
        f"submitted/{s}/hw01/hw01.ipynb" for s in ("alee", "jsmith", "zangstrom")
    ]
    (error,) = report.errors
    assert error.student == "jsmtih" and "not on the roster" in error.message


def test_recorded_facts_are_read_back_bounded_and_only_for_safe_ids(tmp_path):
    folder = tmp_path / "submitted" / FACTS_FOLDER
    folder.mkdir(parents=True)
    (folder / "hw01.json").write_text(
        '{"ok": {"late": true}, "../x": {"late": true}, "bad": 3}'
    )
    assert read_facts(tmp_path, "hw01") == {"ok": {"late": True}}
    (folder / "hw02.json").symlink_to(folder / "hw01.json")
    assert read_facts(tmp_path, "hw02") == {}
    (folder / "hw03.json").write_text("[1, 2]")
    assert read_facts(tmp_path, "hw03") == {}


@pytest.mark.parametrize(
    "entry",
    [
        "Zoë Ångström_3102_assignsubmission_file_/hw01.ipynb",  # Moodle up to 4.0
        "Zoë Ångström_3102_assignsubmission_file/hw01.ipynb",  # Moodle 4.1 and later
        "Zoë Ångström_3102_assignsubmission_file_hw01.ipynb",  # "without folders"
    ],
)
def test_every_moodle_download_form_is_collected(tmp_path, entry):
    path = _zip(tmp_path / "m.zip", {entry: _nb("z")})
    report = collect_zip(path, "hw01", root=tmp_path, roster=ROSTER)
    assert report.layout == "moodle" and report.errors == []
    assert _submitted(tmp_path) == ["submitted/zangstrom/hw01/hw01.ipynb"]
