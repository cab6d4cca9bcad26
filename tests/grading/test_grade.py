"""course grade on a class: resuming after kill -9, regrading one student,
per-student errors, an external Dask scheduler and a PostgreSQL gradebook;
and, without a class, the pieces: per-submission seeds of the hidden inputs,
the course secret, the preflight, hostile files."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
from types import SimpleNamespace

import nbformat
import pytest

from course_tools.grading import grade
from course_tools.grading._cgroups import Support
from course_tools.grading.grade import (
    LEDGER,
    CourseError,
    Job,
    grade_job,
    read_notebook,
    read_regular,
)
from course_tools.grading.grade import (
    Course as CourseDir,
)
from course_tools.grading.sandbox import Limits
from course_tools.grading.spec import submission_seed

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


# --- the pieces, without a class --------------------------------------------------

HIDDEN = """
from course_tools.grading.spec import Call, Fail, Test, returned_values


def calls(rng):
    return [Call("echo", (rng.integers(0, 10**9, 3).tolist(),))]


def check(outcomes, calls):
    (value,) = returned_values(outcomes)
    if value != list(calls[0].args[0]):
        raise Fail("echo must return its input")


TESTS = {"test_echo": Test(calls, check)}
"""


def _job(source: str, seed: int) -> Job:
    return Job(
        student="s",
        assignment="hw",
        hidden_source=HIDDEN,
        hidden_name="<hidden tests>",
        fingerprint=f"fp-{hash(HIDDEN)}",
        cells=[{"id": "answer", "source": source}],
        seed=seed,
        limits=Limits(),
        points={"test_echo": 1.0},
    )


def test_hidden_inputs_are_drawn_per_submission_and_learning_them_is_useless():
    right = grade_job(_job("def echo(x):\n    return list(x)", 1))
    assert [p.passed for p in right.parts] == [True]
    # A student who makes the inputs show in feedback learns this seed's inputs...
    spy = grade_job(_job("def echo(x):\n    raise ValueError(repr(x))", 1))
    (part,) = spy.parts
    seen = part.hint.split("ValueError: ", 1)[1]
    # ... which answer that same seed, and no other.
    hardcoded = f"def echo(x):\n    return {seen}"
    assert grade_job(_job(hardcoded, 1)).parts[0].passed
    assert not grade_job(_job(hardcoded, 2)).parts[0].passed


def test_seeds_differ_between_students_and_submissions_and_need_the_secret():
    a = submission_seed(b"k", "course", "hw01", "ada", "sha1")
    assert a == submission_seed(b"k", "course", "hw01", "ada", "sha1")
    assert a != submission_seed(b"k", "course", "hw01", "bo", "sha1")
    assert a != submission_seed(b"k", "course", "hw01", "ada", "sha2")
    assert a != submission_seed(b"other", "course", "hw01", "ada", "sha1")


def test_a_regrade_reuses_the_seed_its_ledger_recorded(tmp_path):
    course = CourseDir(root=tmp_path, course_id="c", db_url="sqlite://")
    assignment = SimpleNamespace(id="hw01")
    fresh = grade._seed(course, assignment, "ada", "sha1", b"new secret")
    folder = tmp_path / "autograded" / "ada" / "hw01"
    folder.mkdir(parents=True)
    (folder / LEDGER).write_text(
        json.dumps({"submission_sha256": "sha1", "seed": "abc"})
    )
    assert grade._seed(course, assignment, "ada", "sha1", b"new secret") == 0xABC
    # Other bytes: a new submission, a new seed.
    assert grade._seed(course, assignment, "ada", "sha2", b"new secret") != 0xABC
    assert fresh != 0xABC


def test_the_course_secret_is_made_once_for_its_owner_only(tmp_path):
    course = CourseDir(root=tmp_path, course_id="c", db_url="sqlite://")
    secret = course.secret()
    assert len(secret) == 32 and course.secret() == secret
    mode = stat.S_IMODE((tmp_path / grade.SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    (tmp_path / grade.SECRET_FILE).write_text("not hex\n")
    with pytest.raises(CourseError, match="restore it from a backup"):
        course.secret()


def test_preflight_says_once_what_the_host_cannot_limit(monkeypatch):
    monkeypatch.setattr(grade, "check_sandbox", lambda limits: None)
    monkeypatch.setattr(
        grade, "host_support", lambda: Support(None, (), why="no cgroup file system")
    )
    (warning,) = grade.preflight(Limits())
    assert "total memory (with files in the sandbox's tmpfs)" in warning
    assert "number of processes" in warning and "CPU share" in warning
    monkeypatch.setattr(
        grade, "host_support", lambda: Support("v1", ("memory", "pids", "cpu"))
    )
    assert grade.preflight(Limits()) == []


def test_links_pipes_and_huge_files_are_not_read(tmp_path):
    target = tmp_path / "target.ipynb"
    target.write_text("{}")
    (tmp_path / "link.ipynb").symlink_to(target)
    os.mkfifo(tmp_path / "pipe.ipynb")
    (tmp_path / "big.ipynb").write_bytes(b" " * 2000)
    with pytest.raises(OSError):
        read_regular(tmp_path / "link.ipynb", 1000)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path / "pipe.ipynb", 1000)
    with pytest.raises(OSError, match="over the limit"):
        read_regular(tmp_path / "big.ipynb", 1000)
    assert read_regular(target, 1000) == b"{}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[" * 50_000 + "]" * 50_000, "not valid JSON"),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "cells": 7, "metadata": {}}',
            "not a valid",
        ),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_hostile_notebooks_are_a_one_line_error(tmp_path, text, why):
    path = tmp_path / "hw.ipynb"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(ValueError, match=why):
        read_notebook(path)


def test_lone_surrogates_are_replaced_when_a_notebook_is_read(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# \ud800")])
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    assert read_notebook(path).cells[0].source == "# \ufffd"


def test_a_notebook_reads_as_nbformat_reads_it():
    """Sources stored as lists of lines are joined, as nbgrader sees them."""
    import nbformat

    from ..homework.harness import EXERCISES

    for path in sorted(EXERCISES.glob("*/*.ipynb")):
        assert read_notebook(path) == nbformat.read(path, as_version=4), path.name


def test_answers_left_as_released_are_no_response_as_nbgrader_records_them(tmp_path):
    """A written answer left untouched scores 0 and says "No response."; one written goes to a human."""
    course = Course(tmp_path, HW)
    (written,) = PARTS.manual
    first = next(iter(PARTS.answers))
    course.submit("untouched", course.released)
    course.submit("wrote", course.make({written: PARTS.manual_answers[written]}))
    course.submit("coded", course.make({first: PARTS.answers[first]}))
    course.course("grade", HW, "--quiet")
    scores, comments = course.scores(), course.comments()
    assert set(comments["untouched"].values()) == {"No response."}
    assert scores["untouched"][written] == (0.0, False)
    assert comments["wrote"][written] is None
    assert scores["wrote"][written][1] is True
    assert comments["coded"][first] is None
    assert comments["coded"][written] == "No response."
    assert scores["coded"][written] == (0.0, False)


def test_a_resubmission_during_grading_is_not_taken_as_graded(tmp_path, monkeypatch):
    """The ledger holds the hash of the bytes graded, not of what the file holds later."""
    import hashlib

    course = Course(tmp_path, HW)
    course.submit("ada", course.released)
    path = course.root / "submitted" / "ada" / HW / course.notebook_name
    graded_bytes = path.read_bytes()
    resubmitted = course.make(PARTS.answers)
    real = grade.grade_job

    def grade_then_resubmit(job):
        outcome = real(job)
        course.submit("ada", resubmitted)  # collect runs while the class is graded
        return outcome

    monkeypatch.setattr(grade, "grade_job", grade_then_resubmit)
    summary = grade.grade_class(CourseDir.load(course.root), HW, progress=False)
    assert [r.student for r in summary.graded] == ["ada"], summary.errors
    ledger = json.loads((course.root / "autograded" / "ada" / HW / LEDGER).read_text())
    assert ledger["submission_sha256"] == hashlib.sha256(graded_bytes).hexdigest()
    # So the next run grades the new notebook instead of calling it unchanged.
    monkeypatch.setattr(grade, "grade_job", real)
    again = grade.grade_class(CourseDir.load(course.root), HW, progress=False)
    assert [r.student for r in again.graded] == ["ada"]
    assert total(course.scores()["ada"]) == FULL


def _one_part(source: str):
    """Grade one answer cell against a test that calls ``f(1)`` and wants 2."""
    from course_tools.grading.grade import score_records
    from course_tools.grading.sandbox import run_sandboxed
    from course_tools.grading.spec import Call, Fail, Test, returned_values

    def check(outcomes):
        (value,) = returned_values(outcomes)
        if value != 2:
            raise Fail("f(1) must be 2")

    tests = {"test_f": Test(calls=lambda: [Call("f", (1,))], check=check)}
    calls = {"test_f": [Call("f", (1,))]}
    cells = [{"id": "answer_f", "source": source}]
    raw = run_sandboxed(cells, calls)
    (part,) = score_records(tests, calls, {"test_f": 3.0}, raw, cells)
    return part


@pytest.mark.parametrize(
    ("source", "said"),
    [
        (
            "def f(x)\n    return x + 1\n",
            "f was never defined: the cell that defines it (answer_f) stopped with "
            "SyntaxError: expected ':' (line 1: def f(x))",
        ),
        (
            "import math\n\ndef f(x):\n    return x + 1\n  return x\n",
            "(answer_f) stopped with IndentationError: unindent does not match any "
            "outer indentation level (line 5: return x)",
        ),
        (
            "raise RuntimeError('not yet')\ndef f(x):\n    return x + 1\n",
            "stopped with RuntimeError: not yet",
        ),
    ],
)
def test_a_function_its_cell_never_defined_is_explained_by_that_cell(source, said):
    part = _one_part(source)
    assert part.points == 0 and said in part.hint
    assert "NameError" not in part.hint


def test_a_function_nobody_wrote_is_still_a_name_error():
    part = _one_part("def g(x):\n    return x + 1\n")
    assert part.points == 0 and "NameError: name 'f' is not defined" in part.hint
    assert _one_part("def f(x):\n    return x + 1\n").points == 3.0


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
