"""Tests of the tests: every homework, through real nbgrader autograding.

For each homework in ``solutions/``: the solution earns full marks, the released
student version earns zero, every plausible wrong answer in ``bank/`` loses
points on its own part (and only there), and every correct answer written
differently from ours earns full marks. The nbgrader configuration's defences
are exercised too: a warning on stderr, a deleted test cell, a cell that never
finishes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from ..leaks import MARKERS, find_leaks, normalise, secret_lines
from .harness import BANK, Course, homework_ids, parts_of, source_notebook

pytestmark = pytest.mark.slow

HOMEWORK = homework_ids()
SOLUTION = "solution"
RELEASED = "released"


def _bank(assignment: str, kind: str) -> list[tuple[str, str, Path]]:
    return [
        (assignment, path.parent.name, path)
        for path in sorted((BANK / assignment).glob(f"*/{kind}_*.py"))
    ]


def _student_id(kind: str, part: str, path: Path) -> str:
    return f"{kind}-{part}-{path.stem}"


WRONG = [case for hw in HOMEWORK for case in _bank(hw, "wrong")]
RIGHT = [case for hw in HOMEWORK for case in _bank(hw, "right")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade every homework's bank as one class; returns {hw: (parts, scores)}."""
    results = {}
    for hw in HOMEWORK:
        parts = parts_of(source_notebook(hw))
        course = Course(tmp_path_factory.mktemp(hw), hw)
        written = dict(parts.manual_answers)
        solved = {**parts.answers, **written}
        course.submit(SOLUTION, course.make(solved))
        course.submit(RELEASED, course.released)
        for kind, cases in (("wrong", WRONG), ("right", RIGHT)):
            for case_hw, part, path in cases:
                if case_hw == hw:
                    answers = {**solved, part: path.read_text()}
                    course.submit(_student_id(kind, part, path), course.make(answers))
        # A correct answer whose code emits a warning on stderr.
        first, noisy = _noisy(parts)
        course.submit("warns", course.make({**solved, first: noisy}))
        # Test cells deleted: with a right answer, and with a wrong one.
        all_tests = tuple(t for ids in parts.tests.values() for t in ids)
        course.submit("deleted-tests", course.make(solved, drop=all_tests))
        wrong_first = next(p for h, part, p in WRONG if h == hw and part == first)
        course.submit(
            "deleted-tests-wrong",
            course.make({**solved, first: wrong_first.read_text()}, drop=all_tests),
        )
        course.autograde()
        course.nbgrader("generate_feedback", hw)
        course.nbgrader("export")
        results[hw] = (parts, course.scores(), course)
    return results


def _auto(parts, grades: dict, part: str) -> float:
    return sum(grades[t][0] or 0.0 for t in parts.tests[part])


@pytest.mark.parametrize("hw", HOMEWORK)
def test_homework_has_enough_graded_parts(hw):
    parts = parts_of(source_notebook(hw))
    assert len(parts.answers) >= 4, "at least four autograded parts"
    assert len(parts.manual) >= 1, "at least one written answer graded by hand"
    assert set(parts.tests) == set(parts.answers), "every part has a test cell"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_bank_has_three_wrong_answers_and_one_right_per_part(hw):
    parts = parts_of(source_notebook(hw))
    for part in parts.answers:
        wrong = list((BANK / hw / part).glob("wrong_*.py"))
        assert len(wrong) >= 3, f"{hw}/{part}: {len(wrong)} wrong answers in the bank"
    right = list((BANK / hw).glob("*/right_*.py"))
    assert right, f"{hw}: no correct answer written differently in the bank"
    unknown = {p.name for p in (BANK / hw).iterdir() if p.is_dir()} - set(parts.answers)
    assert not unknown, f"bank folders that match no part: {unknown}"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_solution_earns_full_marks(graded, hw):
    parts, scores, _ = graded[hw]
    for part, points in parts.points.items():
        assert _auto(parts, scores[SOLUTION], part) == points, part
    for cell in parts.manual:
        assert scores[SOLUTION][cell][1], f"{cell} must wait for a human grader"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_released_version_earns_zero(graded, hw):
    parts, scores, _ = graded[hw]
    for cell, (score, _needs_manual) in scores[RELEASED].items():
        assert score == 0, f"{cell} scored {score} on the untouched student version"
    assert set(scores[RELEASED]) >= set(parts.manual)


@pytest.mark.parametrize(
    ("hw", "part", "path"), WRONG, ids=lambda v: getattr(v, "stem", v)
)
def test_wrong_answer_loses_points_on_its_part_only(graded, hw, part, path):
    parts, scores, _ = graded[hw]
    grades = scores[_student_id("wrong", part, path)]
    assert _auto(parts, grades, part) < parts.points[part], (
        f"{path.name} earned full marks on {part}"
    )
    for other in parts.answers:
        if other != part:
            assert _auto(parts, grades, other) == parts.points[other], (
                f"{path.name} for {part} cost points on {other}"
            )


@pytest.mark.parametrize(
    ("hw", "part", "path"), RIGHT, ids=lambda v: getattr(v, "stem", v)
)
def test_answer_written_differently_earns_full_marks(graded, hw, part, path):
    parts, scores, _ = graded[hw]
    grades = scores[_student_id("right", part, path)]
    for each, points in parts.points.items():
        assert _auto(parts, grades, each) == points, f"{path.name}: {each}"


def _noisy(parts) -> tuple[str, str]:
    """The first part's solution, made to emit a FutureWarning when called."""
    first = next(iter(parts.answers))
    code = "import warnings\n" + parts.answers[first].replace(
        '"""\n', '"""\n    warnings.warn("deprecated", FutureWarning)\n', 1
    )
    return first, code


@pytest.mark.parametrize("hw", HOMEWORK)
def test_warning_on_stderr_does_not_cost_marks(graded, hw):
    parts, scores, _ = graded[hw]
    for part, points in parts.points.items():
        assert _auto(parts, scores["warns"], part) == points, part


def test_without_our_configuration_the_warning_would_cost_marks(tmp_path):
    """The power check of the test above: stock nbgrader zeroes that answer."""
    hw = HOMEWORK[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path, hw)
    first, noisy = _noisy(parts)
    course.submit("warns", course.make({**parts.answers, first: noisy}))
    course.autograde("--IgnorePattern.enabled=False")
    assert _auto(parts, course.scores()["warns"], first) == 0


@pytest.mark.parametrize("hw", HOMEWORK)
def test_deleted_test_cells_are_restored_and_graded(graded, hw):
    parts, scores, _ = graded[hw]
    for part, points in parts.points.items():
        assert _auto(parts, scores["deleted-tests"], part) == points, part
    first = next(iter(parts.answers))
    wrong = scores["deleted-tests-wrong"]
    assert _auto(parts, wrong, first) < parts.points[first]
    tests = [t for ids in parts.tests.values() for t in ids]
    assert not any(wrong[t][1] for t in tests), "a test cell was left ungraded"


def test_a_cell_that_never_finishes_times_out_and_costs_only_its_part(tmp_path):
    hw = HOMEWORK[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path, hw)
    first = next(iter(parts.answers))
    # A part that hangs: the function loops forever when a test calls it.
    hang = parts.answers[first].replace(
        '"""\n', '"""\n    while True:\n        pass\n', 1
    )
    course.submit("hangs", course.make({**parts.answers, first: hang}))
    course.autograde("--Execute.timeout=5")
    grades = course.scores()["hangs"]
    assert _auto(parts, grades, first) == 0
    for other, points in parts.points.items():
        if other != first:
            assert _auto(parts, grades, other) == points, other


@pytest.mark.parametrize("hw", HOMEWORK)
def test_feedback_shows_scores_but_never_hidden_tests(graded, hw):
    _, scores, course = graded[hw]
    hidden = secret_lines([source_notebook(hw)], regions=("HIDDEN TESTS",))
    # Power check: the autograded notebooks do hold the hidden tests.
    assert find_leaks(course.root / "autograded" / SOLUTION, hidden)
    pages = sorted((course.root / "feedback").glob(f"*/{hw}/*.html"))
    assert {p.parts[-3] for p in pages} == set(scores)
    for page in pages:
        # Lines the student wrote themselves may coincide with hidden ones.
        student = page.parts[-3]
        submitted = course.root / "submitted" / student / hw / course.notebook_name
        cells = nbformat.read(submitted, as_version=4).cells
        own = "\n".join(normalise(line) for c in cells for line in c.source.split("\n"))
        secret = {line for line in hidden if line not in own}
        assert find_leaks(page.parent, secret) == [], student
    text = (
        (course.root / "feedback" / RELEASED / hw / course.notebook_name)
        .with_suffix(".html")
        .read_text()
    )
    assert "Hidden tests ran here" in text and "NotImplementedError" in text
    assert not any(marker in text for marker in MARKERS)


@pytest.mark.parametrize("hw", HOMEWORK)
def test_export_lists_every_student_with_their_score(graded, hw):
    parts, scores, course = graded[hw]
    with open(course.root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(scores)
    total = sum(parts.points.values()) + sum(parts.manual.values())
    assert float(rows[SOLUTION]["max_score"]) == total
    assert float(rows[SOLUTION]["raw_score"]) == sum(parts.points.values())
    assert float(rows[RELEASED]["raw_score"]) == 0
