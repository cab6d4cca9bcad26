"""The ledger: what ``course grade`` graded for each submission, beside it.

``autograded/<student>/<assignment>/.course-grade.json`` holds the hash of
the bytes graded, the grader's fingerprint, the seed of the hidden inputs
and the result, so that an interrupted run resumes where it stopped, a
regrade reuses the seed, and feedback is written from it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict
from typing import Any

from course_tools.grading._course import Assignment, Course
from course_tools.grading._files import read_regular
from course_tools.grading._gradebook import safe_url
from course_tools.grading._results import StudentResult
from course_tools.grading.spec import submission_seed

LEDGER = ".course-grade.json"
#: Largest ledger read back (bytes).
MAX_LEDGER_BYTES = 4 * 2**20


def ledger_json(
    course: Course, assignment: Assignment, digest: str, result: StudentResult
) -> str:
    """The ledger of ``result``, graded from the bytes whose SHA-256 is ``digest``."""
    return json.dumps(
        {
            "submission_sha256": digest,
            "grader_sha256": assignment.fingerprint,
            "db_url": safe_url(course.db_url),
            "graded_at": dt.datetime.now(dt.UTC).isoformat(),
            "seed": result.seed,
            "result": asdict(result),
        },
        indent=1,
    )


def read_ledger(
    course: Course, assignment_id: str, student: str
) -> dict[str, Any] | None:
    """The ledger ``course grade`` wrote for the student's submission, or None."""
    path = course.path("autograded", student, assignment_id, LEDGER)
    try:
        ledger = json.loads(read_regular(path, MAX_LEDGER_BYTES))
    except (OSError, ValueError, RecursionError):
        return None
    return ledger if isinstance(ledger, dict) else None


def is_current(
    course: Course,
    assignment: Assignment,
    student: str,
    digest: str,
    recorded: dict[str, dict[str, float | None]] | None = None,
) -> bool:
    """Whether the ledger says these bytes were graded, and the gradebook agrees.

    ``recorded`` holds each student's autograded scores as the gradebook has
    them (see :func:`~course_tools.grading._gradebook.recorded_scores`): a gradebook restored from a backup
    that lacks this grading, or holds other scores, is not current.
    """
    ledger = read_ledger(course, assignment.id, student)
    if not (
        ledger
        and ledger.get("grader_sha256") == assignment.fingerprint
        and ledger.get("db_url") == safe_url(course.db_url)
        and ledger.get("submission_sha256") == digest
    ):
        return False
    if recorded is None:
        return True
    result = ledger.get("result")
    parts = result.get("parts") if isinstance(result, dict) else None
    if not isinstance(parts, list) or not parts:
        return False
    mine = recorded.get(student, {})
    return all(
        isinstance(p, dict) and mine.get(p.get("grade_id"), "absent") == p.get("points")
        for p in parts
    )


def grading_seed(
    course: Course, assignment: Assignment, student: str, digest: str, secret: bytes
) -> int:
    """The submission's seed: the one its ledger recorded for these bytes, or a new one."""
    ledger = read_ledger(course, assignment.id, student)
    if ledger and ledger.get("submission_sha256") == digest:
        recorded = ledger.get("seed")
        if isinstance(recorded, str) and re.fullmatch(r"[0-9a-f]{1,64}", recorded):
            return int(recorded, 16)
    return submission_seed(secret, course.course_id, assignment.id, student, digest)


def graded_students(course: Course, assignment: Assignment) -> list[str]:
    """Students with a ledger for ``assignment`` (graded by ``course grade``)."""
    base = course.path("autograded")
    if not base.is_dir():
        return []
    return sorted(
        p.parent.parent.name for p in base.glob(f"*/{assignment.id}/{LEDGER}")
    )
