"""A whole term's homework, graded as an instructor grades it, once per test run.

One course holds every homework (or those named in the environment variable
``HW``, e.g. ``HW=hw03``), released once. Every honest submission of each
homework's class (the solution, the untouched release, every answer of the
bank, a warning, deleted test cells) is graded by one ``course grade`` call
over all homework, which shares one pool of workers. A copy of the course,
made right after the release, is graded by stock ``nbgrader autograde`` on a
stratified sample of the same submissions: the solution, the release, the
warning and the deleted cells, the first wrong and the first right answer of
every part, and every bank answer whose behaviour could differ between a
kernel and the sandbox (answers that mutate their input, keep global state,
print or warn).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .harness import BANK, Course, Parts, homework_ids, parts_of, source_notebook

SOLUTION = "solution"
RELEASED = "released"
# Bank answers that may behave differently in a kernel and in the sandbox.
KERNEL_SENSITIVE = re.compile(r"mutat|in_place|inplace|global|mutable|state|print|warn")


def selected_homework() -> list[str]:
    """Every homework, or those named in ``HW`` (comma- or space-separated)."""
    every = homework_ids()
    wanted = os.environ.get("HW", "").replace(",", " ").split()
    unknown = sorted(set(wanted) - set(every))
    if unknown:
        raise ValueError(
            f"HW must name homework of solutions/ ({every}); got {unknown}"
        )
    return [hw for hw in every if hw in wanted] if wanted else every


def bank(assignment: str, kind: str) -> list[tuple[str, str, Path]]:
    return [
        (assignment, path.parent.name, path)
        for path in sorted((BANK / assignment).glob(f"*/{kind}_*.py"))
    ]


def student_id(kind: str, part: str, path: Path) -> str:
    return f"{kind}-{part}-{path.stem}"


def noisy(parts: Parts) -> tuple[str, str]:
    """The first part's solution, made to emit a FutureWarning when called."""
    first = next(iter(parts.answers))
    code = "import warnings\n" + parts.answers[first].replace(
        '"""\n', '"""\n    warnings.warn("deprecated", FutureWarning)\n', 1
    )
    return first, code


def hanging(parts: Parts) -> tuple[str, str]:
    """The first part's solution, made to loop forever when called."""
    first = next(iter(parts.answers))
    code = parts.answers[first].replace(
        '"""\n', '"""\n    while True:\n        pass\n', 1
    )
    return first, code


def homework_class(course: Course, hw: str, parts: Parts) -> dict:
    """Every honest submission of the bank for ``hw``, as students hand them in."""
    solved = {**parts.answers, **parts.manual_answers}
    subs = {SOLUTION: course.make(solved, hw=hw), RELEASED: course.releases[hw]}
    for kind in ("wrong", "right"):
        for _, part, path in bank(hw, kind):
            answers = {**solved, part: path.read_text()}
            subs[student_id(kind, part, path)] = course.make(answers, hw=hw)
    first, code = noisy(parts)
    subs["warns"] = course.make({**solved, first: code}, hw=hw)
    all_tests = tuple(t for ids in parts.tests.values() for t in ids)
    subs["deleted-tests"] = course.make(solved, drop=all_tests, hw=hw)
    wrong_first = next(p for _, part, p in bank(hw, "wrong") if part == first)
    subs["deleted-tests-wrong"] = course.make(
        {**solved, first: wrong_first.read_text()}, drop=all_tests, hw=hw
    )
    return subs


def stock_sample(hw: str, parts: Parts, students: list[str]) -> list[str]:
    """The submissions stock nbgrader grades too (see the module docstring)."""
    sample = [SOLUTION, RELEASED, "warns", "deleted-tests", "deleted-tests-wrong"]
    for kind in ("wrong", "right"):
        seen: set[str] = set()
        for _, part, path in bank(hw, kind):
            if part not in seen or KERNEL_SENSITIVE.search(path.stem):
                sample.append(student_id(kind, part, path))
                seen.add(part)
    return [s for s in dict.fromkeys(sample) if s in students]


@dataclass
class Graded:
    """One homework's results in the term: ours for every submission, stock's for the sample."""

    hw: str
    parts: Parts
    ours: dict  # student -> grade id -> (score, needs manual grade)
    stock: dict
    course: Course
    stock_course: Course
    ours_comments: dict  # student -> answer cell -> "No response." or None
    stock_comments: dict


class Term:
    """The graded term, built on first use."""

    def __init__(self, root: Path):
        self.homework = selected_homework()
        self.parts = {hw: parts_of(source_notebook(hw)) for hw in self.homework}
        self.course = Course(root / "term", self.homework)
        self.stock_course = self.course.copy(root / "stock")
        samples = {}
        for hw in self.homework:
            subs = homework_class(self.course, hw, self.parts[hw])
            for student, nb in subs.items():
                self.course.submit(student, nb, hw=hw)
            samples[hw] = stock_sample(hw, self.parts[hw], list(subs))
            for student in samples[hw]:
                self.stock_course.submit(student, subs[student], hw=hw)
        self.course.course("grade", *self.homework, "--quiet")
        self.course.course("feedback", *self.homework)
        self.course.course("grades")
        self.stock_course.autograde()
        self.stock_course.nbgrader("generate_feedback", "*")
        self.samples = samples

    def __getitem__(self, hw: str) -> Graded:
        return Graded(
            hw,
            self.parts[hw],
            self.course.scores(hw),
            self.stock_course.scores(hw),
            self.course,
            self.stock_course,
            self.course.comments(hw),
            self.stock_course.comments(hw),
        )
