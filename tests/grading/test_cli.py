"""The ``course`` command's first hour: every mistake is one line, once, and exits non-zero.

Each case runs the installed command as an instructor would, on a throw-away
course, and checks that stderr is a single ``course: ...`` line (no
traceback), that the exit code is not 0, and that nothing was half-done.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ..homework.harness import BIN, Course

HW = "hw01"


def run(root: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = path if path is not None else f"{BIN}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        [str(BIN / "course"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line(proc: subprocess.CompletedProcess) -> str:
    """The single error line; fails on a traceback, several lines or exit 0."""
    assert proc.returncode != 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("course: "), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    """hw01 released, three submissions collected, nothing graded."""
    course = Course(tmp_path_factory.mktemp("cli"), HW)
    for student in ("ann", "bo", "cy"):
        course.submit(student, course.released)
    return course


def nbgrader_db(course: Course, *args: str) -> None:
    """``nbgrader db ...`` in ``course``, as an instructor would edit the gradebook."""
    subprocess.run(
        [str(BIN / "nbgrader"), "db", *args],
        cwd=course.root,
        env=course.env(),
        check=True,
        capture_output=True,
    )


def _graded_rows(course: Course) -> int:
    from nbgrader.api import Gradebook, SubmittedAssignment

    with Gradebook(course.db_url, "data-ethics") as gb:
        return gb.db.query(SubmittedAssignment).count()


@pytest.mark.slow
def test_grading_without_bubblewrap_fails_once_with_how_to_install_it(course):
    # Only the environment's own programs on PATH: no bwrap.
    proc = run(course.root, "grade", HW, "--quiet", path=str(BIN))
    line = one_line(proc)
    assert "bubblewrap" in line and "apt-get install bubblewrap" in line
    assert _graded_rows(course) == 0


@pytest.mark.slow
def test_grading_with_a_gradebook_that_never_saw_the_release_fails_once(
    course, tmp_path
):
    other = course.copy(tmp_path / "other")
    (other.root / "gradebook.db").unlink()  # e.g. a fresh clone, or a wrong backup
    line = one_line(run(other.root, "grade", HW, "--quiet"))
    assert "gradebook must exist" in line and f"course release {HW}" in line
    assert not (other.root / "gradebook.db").exists()
    assert not (other.root / "autograded").exists()

    nbgrader_db(other, "assignment", "add", "hw99")
    line = one_line(run(other.root, "grade", HW, "--quiet"))
    assert f"{HW} must be released with this gradebook" in line
    assert not (other.root / "autograded").exists()


def _bad_inputs(root: Path) -> dict[str, tuple[list[str], str]]:
    """Each case: the command's arguments, and words its one line must hold."""
    (root / "latin1.csv").write_bytes("student_id,name\nzoe,Zo\xeb\n".encode("latin-1"))
    (root / "nozip.zip").write_text("not a zip")
    with zipfile.ZipFile(root / "odd.zip", "w") as zf:
        zf.writestr("a_b_c", "x")
    return {
        "roster of a missing file": (["roster", "nowhere.csv"], "nowhere.csv"),
        "roster not in UTF-8": (["roster", "latin1.csv"], "UTF-8"),
        "collect a missing zip": (["collect", "nowhere.zip", HW], "does not exist"),
        "collect a file that is no zip": (["collect", "nozip.zip", HW], "zip"),
        "collect a zip of no known layout": (["collect", "odd.zip", HW], "layout"),
        "collect an unreleased id": (["collect", "odd.zip", "hw1"], "course release"),
        "collect with a missing worksheet": (
            ["collect", "odd.zip", HW, "--worksheet", "none.csv"],
            "worksheet",
        ),
        "grade an unknown homework": (["grade", "hw77", "--quiet"], "hw77"),
        "feedback of an unknown homework": (["feedback", "hw77"], "hw77"),
        "scan an unknown homework": (["scan", "hw77"], "hw77"),
        "release an unknown homework": (["release", "hw77"], "hw77"),
        "grades of an unknown homework": (["grades", "--assignment", "hw77"], "hw77"),
        "grades with --output for two formats": (
            ["grades", "--format", "canvas", "--format", "moodle", "--output", "x.csv"],
            "--output",
        ),
        "feedback of an ungraded student": (
            ["feedback", HW, "--student", "zed"],
            "course grade",
        ),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [
        "roster of a missing file",
        "roster not in UTF-8",
        "collect a missing zip",
        "collect a file that is no zip",
        "collect a zip of no known layout",
        "collect an unreleased id",
        "collect with a missing worksheet",
        "grade an unknown homework",
        "feedback of an unknown homework",
        "scan an unknown homework",
        "release an unknown homework",
        "grades of an unknown homework",
        "grades with --output for two formats",
        "feedback of an ungraded student",
    ],
)
def test_each_mistake_is_one_line_and_a_nonzero_exit(course, case):
    args, words = _bad_inputs(course.root)[case]
    line = one_line(run(course.root, *args))
    assert words in line, line


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ('c.Term.late_policy = "a little"', "c.Term.late_policy must be"),
        ('c.Term.due_dates = {"hw01": "next Friday"}', "c.Term.due_dates['hw01']"),
        ('c.Term.timezone = "Mars/Olympus"', "time zone"),
        ("c.Term.lms_columns = ['hw01']", "c.Term.lms_columns must be"),
        ("c.Term.due_dates = {", "nbgrader_config.py must run"),
    ],
)
def test_a_bad_term_setting_is_one_line_naming_it(course, tmp_path, setting, words):
    other = tmp_path / "c"
    other.mkdir()
    shutil.copy(course.root / "nbgrader_config.py", other)
    with open(other / "nbgrader_config.py", "a") as handle:
        handle.write(setting + "\n")
    line = one_line(run(other, "grades"))
    assert words in line, line


@pytest.mark.slow
def test_collect_checks_the_roster_only_once_one_was_imported(course, tmp_path):
    other = course.copy(tmp_path / "c")
    # A student grading made from a folder name is not a roster.
    nbgrader_db(other, "student", "add", "ann")
    nb = (other.root / "exercises" / HW / "hw01.ipynb").read_bytes()
    with zipfile.ZipFile(other.root / "plain.zip", "w") as zf:
        zf.writestr(f"dan/{HW}.ipynb", nb)
        zf.writestr(f"ann/{HW}.ipynb", nb)
    proc = run(other.root, "collect", "plain.zip", HW)
    assert proc.returncode == 0 and "2 collected" in proc.stdout, proc.stderr
    (other.root / "class.csv").write_text(
        "student_id,first_name,last_name,email\nann,Ann,Lee,ann@x.edu\n"
    )
    assert run(other.root, "roster", "class.csv").returncode == 0
    proc = run(other.root, "collect", "plain.zip", HW)
    assert proc.returncode == 1
    assert "dan" in proc.stdout and "not on the roster" in proc.stdout
