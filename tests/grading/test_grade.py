"""course grade on a class: resuming after kill -9, regrading one student,
per-student errors, an external Dask scheduler and a PostgreSQL gradebook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from ..homework.harness import BIN, Course, parts_of, source_notebook
from ..postgres import postgres_server

pytestmark = pytest.mark.slow

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


def test_grades_on_an_existing_dask_scheduler(tmp_path):
    from distributed import LocalCluster

    course = Course(tmp_path, HW)
    expected = expected_class(course, 3)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        course.course("grade", HW, "--scheduler", cluster.scheduler_address, "--quiet")
    assert {s: total(g) for s, g in course.scores().items()} == expected


def test_postgresql_gradebook(tmp_path):
    with postgres_server(tmp_path) as url:
        course = Course(tmp_path / "course", HW, db_url=url)
        expected = expected_class(course, 3)
        course.course("grade", HW, "--workers", "2", "--quiet", "--db-url", url)
        assert {s: total(g) for s, g in course.scores().items()} == expected
        assert not (course.root / "gradebook.db").exists()
        course.course("grades", "--db-url", url)
        assert (course.root / "grades.csv").read_text().count("\n") == 4
