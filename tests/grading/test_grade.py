"""course grade on a class: resuming after kill -9, regrading one student,
per-student errors, an external Dask scheduler and a PostgreSQL gradebook, a
resubmission while the class is graded, a notebook that lost its metadata and
a gradebook restored from a backup.

The pieces have tests of their own: test_files (hostile files), test_course
(the course secret), test_dispatch (the worker's side and the preflight),
test_ledger (seeds), test_gradebook (answers left as released)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import nbformat
import pytest

from course_tools.grading import _dispatch, grade
from course_tools.grading.grade import LEDGER
from course_tools.grading.grade import Course as CourseDir

from ..homework.harness import BIN, Course, parts_of, source_notebook
from ..postgres import postgres_server

HW = "hw01"
PARTS = parts_of(source_notebook(HW))
FULL = sum(PARTS.points.values())
TESTS = [t for ids in PARTS.tests.values() for t in ids]
WRONG_FILTER = "def propublica_filter(df):\n    return df\n"


def total(grades: dict) -> float:
    return sum(grades[t][0] or 0 for t in TESTS)


def expected_class(course: Course, n: int) -> dict[str, float]:
    """n submissions: solutions, untouched ones and one wrong part, in turn."""
    expected = {}
    for i in range(n):
        student = f"s{i:02d}"
        kind = i % 3
        if kind == 0:
            nb, score = course.make(PARTS.answers), FULL
        elif kind == 1:
            nb, score = course.released, 0.0
        else:
            answers = {**PARTS.answers, "propublica_filter": WRONG_FILTER}
            nb, score = course.make(answers), FULL - PARTS.points["propublica_filter"]
        course.submit(student, nb)
        expected[student] = score
    return expected


@pytest.mark.slow
def test_kill_9_midway_then_rerun_ends_with_every_grade_right(tmp_path):
    course = Course(tmp_path, HW)
    expected = expected_class(course, 12)
    proc = subprocess.Popen(
        [str(BIN / "course"), "grade", HW, "--workers", "1", "--quiet"],
        cwd=course.root,
        env=course.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    ledgers = course.root / "autograded"
    deadline = time.monotonic() + 300
    while (
        time.monotonic() < deadline
        and len(list(ledgers.glob("*/hw01/.course-grade.json"))) < 3
    ):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(ledgers.glob("*/hw01/.course-grade.json")))
    assert 3 <= done_before < 12, "the kill must land in the middle of the class"
    rerun = course.course("grade", HW, "--workers", "2", "--quiet")
    assert f"unchanged {done_before}" in rerun.stdout
    scores = course.scores()
    assert {s: total(g) for s, g in scores.items()} == expected


@pytest.mark.slow
def test_regrading_one_student_leaves_the_others_untouched(tmp_path):
    course = Course(tmp_path, HW)
    expected = expected_class(course, 4)
    course.course("grade", HW, "--workers", "2", "--quiet")
    ledgers = {
        s: (course.root / "autograded" / s / HW / ".course-grade.json")
        for s in expected
    }
    before = {s: p.read_text() for s, p in ledgers.items()}
    # s01 resubmits a correct notebook; only s01 is regraded.
    course.submit("s01", course.make(PARTS.answers))
    out = course.course("grade", HW, "--student", "s01", "--quiet").stdout
    assert "graded 1," in out
    after = {s: p.read_text() for s, p in ledgers.items()}
    assert all(after[s] == before[s] for s in expected if s != "s01")
    assert (
        json.loads(after["s01"])["submission_sha256"]
        != json.loads(before["s01"])["submission_sha256"]
    )
    scores = course.scores()
    assert total(scores["s01"]) == FULL
    assert all(total(scores[s]) == expected[s] for s in expected if s != "s01")
    # Without --student, nothing is regraded: every ledger is current.
    assert "graded 0, unchanged 4" in course.course("grade", HW, "--quiet").stdout


@pytest.mark.slow
def test_broken_submissions_get_clear_errors_while_the_rest_are_graded(tmp_path):
    course = Course(tmp_path, HW)
    expected = expected_class(course, 2)
    sub = course.root / "submitted"
    (sub / "badjson" / HW).mkdir(parents=True)
    (sub / "badjson" / HW / "hw01.ipynb").write_text("{not json")
    (sub / "renamed" / HW).mkdir(parents=True)
    (sub / "renamed" / HW / "my homework.ipynb").write_text(json.dumps(course.released))
    (sub / "twice" / HW).mkdir(parents=True)
    (sub / "twice" / HW / "hw01.ipynb").write_text(json.dumps(course.released))
    (sub / "twice" / HW / "hw01 (1).ipynb").write_text(json.dumps(course.released))
    (sub / "empty" / HW).mkdir(parents=True)
    (sub / "extra" / HW).mkdir(parents=True)
    (sub / "extra" / HW / "hw01.ipynb").write_text(
        json.dumps(course.make(PARTS.answers))
    )
    (sub / "extra" / HW / "notes.txt").write_text("scratch")
    expected["extra"] = FULL
    proc = course.course("grade", HW, "--quiet", check=False)
    assert proc.returncode == 1
    err = proc.stderr
    assert "badjson: submitted/badjson/hw01/hw01.ipynb: not a valid notebook" in err
    assert (
        "renamed: submitted/renamed/hw01/: the notebook is named my homework.ipynb"
        in err
    )
    assert "twice: submitted/twice/hw01/hw01.ipynb: duplicate submission" in err
    assert "empty: submitted/empty/hw01/: no notebook" in err
    scores = course.scores()
    assert {s: total(scores[s]) for s in scores} == expected


@pytest.mark.slow
def test_grades_on_an_existing_dask_scheduler(tmp_path):
    from distributed import LocalCluster

    course = Course(tmp_path, HW)
    expected = expected_class(course, 3)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0"
    ) as cluster:
        course.course("grade", HW, "--scheduler", cluster.scheduler_address, "--quiet")
    assert {s: total(g) for s, g in course.scores().items()} == expected


@pytest.mark.slow
def test_postgresql_gradebook(tmp_path):
    with postgres_server(tmp_path) as url:
        course = Course(tmp_path / "course", HW, db_url=url)
        expected = expected_class(course, 3)
        course.course("grade", HW, "--workers", "2", "--quiet", "--db-url", url)
        assert {s: total(g) for s, g in course.scores().items()} == expected
        assert not (course.root / "gradebook.db").exists()
        course.course("grades", "--db-url", url)
        assert (course.root / "grades.csv").read_text().count("\n") == 4


def test_a_resubmission_during_grading_is_not_taken_as_graded(tmp_path, monkeypatch):
    """The ledger holds the hash of the bytes graded, not of what the file holds later."""
    import hashlib

    course = Course(tmp_path, HW)
    course.submit("ada", course.released)
    path = course.root / "submitted" / "ada" / HW / course.notebook_name
    graded_bytes = path.read_bytes()
    resubmitted = course.make(PARTS.answers)
    real = _dispatch.grade_job

    def grade_then_resubmit(job):
        outcome = real(job)
        course.submit("ada", resubmitted)  # collect runs while the class is graded
        return outcome

    monkeypatch.setattr(_dispatch, "grade_job", grade_then_resubmit)
    summary = grade.grade_class(CourseDir.load(course.root), HW, progress=False)
    assert [r.student for r in summary.graded] == ["ada"], summary.errors
    ledger = json.loads((course.root / "autograded" / "ada" / HW / LEDGER).read_text())
    assert ledger["submission_sha256"] == hashlib.sha256(graded_bytes).hexdigest()
    # So the next run grades the new notebook instead of calling it unchanged.
    monkeypatch.setattr(_dispatch, "grade_job", real)
    again = grade.grade_class(CourseDir.load(course.root), HW, progress=False)
    assert [r.student for r in again.graded] == ["ada"]
    assert total(course.scores()["ada"]) == FULL


@pytest.mark.slow
def test_a_notebook_that_lost_its_metadata_is_graded_as_written(tmp_path):
    """Pasted into a fresh notebook: full marks, a note saying so, her own code shown."""
    course = Course(tmp_path, HW)
    pasted = course.make(PARTS.answers)
    for i, cell in enumerate(pasted.cells):
        cell.metadata = {}
        cell.id = f"pasted-{i}"
    course.submit("pasted", pasted)
    course.submit(
        "essay", nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hi")])
    )
    proc = course.course("grade", HW, "--quiet", check=False)
    assert (
        "essay: submitted/essay/hw01/hw01.ipynb: not graded: it holds none"
        in proc.stderr
    )
    assert "propublica_filter" in proc.stderr  # what the notebook should define
    assert total(course.scores()["pasted"]) == FULL
    graded = nbformat.read(
        course.root / "autograded" / "pasted" / HW / "hw01.ipynb", as_version=4
    )
    shown = "\n".join(c.source for c in graded.cells)
    assert PARTS.answers["propublica_filter"].strip() in shown
    course.course("feedback", HW)
    page = (course.root / "feedback" / "pasted" / HW / "hw01.html").read_text()
    assert "lost its grading metadata" in page


@pytest.mark.slow
def test_a_gradebook_restored_from_a_backup_is_graded_again(tmp_path):
    """The ledger says graded, the restored gradebook does not: regrade, do not skip."""
    import shutil

    course = Course(tmp_path, HW)
    expected = expected_class(course, 2)
    db = course.root / "gradebook.db"
    before = tmp_path / "before-grading.db"
    shutil.copy(db, before)
    course.course("grade", HW, "--quiet")
    after = tmp_path / "after-grading.db"
    shutil.copy(db, after)
    shutil.copy(before, db)  # the instructor restores last week's backup
    out = course.course("grade", HW, "--quiet").stdout
    assert "graded 2, unchanged 0" in out
    assert {s: total(g) for s, g in course.scores().items()} == expected
    shutil.copy(after, db)  # a backup that has this grading: nothing to redo
    assert "graded 0, unchanged 2" in course.course("grade", HW, "--quiet").stdout
