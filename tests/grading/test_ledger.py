"""Seeds of the hidden inputs: one per student and submission, secret, and
reused by a regrade from the ledger."""

from __future__ import annotations

import json
from types import SimpleNamespace

from course_tools.grading._course import Course
from course_tools.grading._ledger import LEDGER, grading_seed
from course_tools.grading.spec import submission_seed


def test_seeds_differ_between_students_and_submissions_and_need_the_secret():
    a = submission_seed(b"k", "course", "hw01", "ada", "sha1")
    assert a == submission_seed(b"k", "course", "hw01", "ada", "sha1")
    assert a != submission_seed(b"k", "course", "hw01", "bo", "sha1")
    assert a != submission_seed(b"k", "course", "hw01", "ada", "sha2")
    assert a != submission_seed(b"other", "course", "hw01", "ada", "sha1")


def test_a_regrade_reuses_the_seed_its_ledger_recorded(tmp_path):
    course = Course(root=tmp_path, course_id="c", db_url="sqlite://")
    assignment = SimpleNamespace(id="hw01")
    fresh = grading_seed(course, assignment, "ada", "sha1", b"new secret")
    folder = tmp_path / "autograded" / "ada" / "hw01"
    folder.mkdir(parents=True)
    (folder / LEDGER).write_text(
        json.dumps({"submission_sha256": "sha1", "seed": "abc"})
    )
    assert grading_seed(course, assignment, "ada", "sha1", b"new secret") == 0xABC
    # Other bytes: a new submission, a new seed.
    assert grading_seed(course, assignment, "ada", "sha2", b"new secret") != 0xABC
    assert fresh != 0xABC
