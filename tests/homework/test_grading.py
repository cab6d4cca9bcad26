"""Tests of the tests: every homework, graded as an instructor grades it.

For each homework in ``solutions/``, one class of submissions is graded twice:
by ``course grade`` (sandboxed, the course's grader) and by stock
``nbgrader autograde`` (in the student's kernel). With ``course grade``: the
solution earns full marks, the released student version earns zero, every
plausible wrong answer in ``bank/`` loses points on its own part (and only
there), every correct answer written differently from ours earns full marks,
a warning, deleted test cells or a hanging function cost nothing but the
part concerned. Stock nbgrader gives every one of these honest submissions
exactly the same scores. The nbgrader configuration's own defences are
exercised on the stock side.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from ..leaks import MARKERS, find_leaks, normalise, secret_lines
from .harness import BANK, Course, Parts, homework_ids, parts_of, source_notebook

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


def _noisy(parts: Parts) -> tuple[str, str]:
    """The first part's solution, made to emit a FutureWarning when called."""
    first = next(iter(parts.answers))
    code = "import warnings\n" + parts.answers[first].replace(
        '"""\n', '"""\n    warnings.warn("deprecated", FutureWarning)\n', 1
    )
    return first, code


def _hanging(parts: Parts) -> tuple[str, str]:
    """The first part's solution, made to loop forever when called."""
    first = next(iter(parts.answers))
    code = parts.answers[first].replace(
        '"""\n', '"""\n    while True:\n        pass\n', 1
    )
    return first, code


def _class(course: Course, parts: Parts) -> dict[str, nbformat.NotebookNode]:
    """Every honest submission of the bank, as students would hand them in."""
    solved = {**parts.answers, **parts.manual_answers}
    subs = {SOLUTION: course.make(solved), RELEASED: course.released}
    for kind, cases in (("wrong", WRONG), ("right", RIGHT)):
        for hw, part, path in cases:
            if hw == course.assignment:
                answers = {**solved, part: path.read_text()}
                subs[_student_id(kind, part, path)] = course.make(answers)
    first, noisy = _noisy(parts)
    subs["warns"] = course.make({**solved, first: noisy})
    all_tests = tuple(t for ids in parts.tests.values() for t in ids)
    subs["deleted-tests"] = course.make(solved, drop=all_tests)
    wrong_first = next(
        p for h, part, p in WRONG if h == course.assignment and part == first
    )
    subs["deleted-tests-wrong"] = course.make(
        {**solved, first: wrong_first.read_text()}, drop=all_tests
    )
    return subs


@dataclass
class Graded:
    parts: Parts
    ours: dict  # student -> grade id -> (score, needs manual grade)
    stock: dict
    course: Course
    stock_course: Course


def _grade(root: Path, hw: str) -> Graded:
    parts = parts_of(source_notebook(hw))
    ours = Course(root / f"{hw}-course", hw)
    stock = Course(root / f"{hw}-stock", hw)
    for student, nb in _class(ours, parts).items():
        ours.submit(student, nb)
        stock.submit(student, nb)
    first, hang = _hanging(parts)
    ours.submit("hangs", ours.make({**parts.answers, first: hang}))
    ours.course("grade", hw, "--workers", "2", "--call-timeout", "30", "--quiet")
    ours.course("feedback", hw)
    ours.course("grades")
    stock.autograde()
    stock.nbgrader("generate_feedback", hw)
    return Graded(parts, ours.scores(), stock.scores(), ours, stock)


class _Lazy(dict):
    """Grades a homework the first time a test asks for it, so ``-k hw02`` grades one."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def __missing__(self, hw: str) -> Graded:
        self[hw] = _grade(self.root, hw)
        return self[hw]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Graded]:
    return _Lazy(tmp_path_factory.mktemp("graded"))


def _auto(parts: Parts, grades: dict, part: str) -> float:
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
    g = graded[hw]
    for part, points in g.parts.points.items():
        assert _auto(g.parts, g.ours[SOLUTION], part) == points, part
    for cell in g.parts.manual:
        assert g.ours[SOLUTION][cell][1], f"{cell} must wait for a human grader"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_released_version_earns_zero(graded, hw):
    g = graded[hw]
    for cell, (score, _needs_manual) in g.ours[RELEASED].items():
        assert score == 0, f"{cell} scored {score} on the untouched student version"
    assert set(g.ours[RELEASED]) >= set(g.parts.manual)


@pytest.mark.parametrize(
    ("hw", "part", "path"), WRONG, ids=lambda v: getattr(v, "stem", v)
)
def test_wrong_answer_loses_points_on_its_part_only(graded, hw, part, path):
    g = graded[hw]
    grades = g.ours[_student_id("wrong", part, path)]
    assert _auto(g.parts, grades, part) < g.parts.points[part], (
        f"{path.name} earned full marks on {part}"
    )
    for other in g.parts.answers:
        if other != part:
            assert _auto(g.parts, grades, other) == g.parts.points[other], (
                f"{path.name} for {part} cost points on {other}"
            )


@pytest.mark.parametrize(
    ("hw", "part", "path"), RIGHT, ids=lambda v: getattr(v, "stem", v)
)
def test_answer_written_differently_earns_full_marks(graded, hw, part, path):
    g = graded[hw]
    grades = g.ours[_student_id("right", part, path)]
    for each, points in g.parts.points.items():
        assert _auto(g.parts, grades, each) == points, f"{path.name}: {each}"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_warnings_and_deleted_test_cells_cost_nothing(graded, hw):
    g = graded[hw]
    for student in ("warns", "deleted-tests"):
        for part, points in g.parts.points.items():
            assert _auto(g.parts, g.ours[student], part) == points, (student, part)
    first = next(iter(g.parts.answers))
    assert _auto(g.parts, g.ours["deleted-tests-wrong"], first) == 0


@pytest.mark.parametrize("hw", HOMEWORK)
def test_a_hanging_function_costs_only_its_part(graded, hw):
    g = graded[hw]
    first = next(iter(g.parts.answers))
    assert _auto(g.parts, g.ours["hangs"], first) == 0
    for other, points in g.parts.points.items():
        if other != first:
            assert _auto(g.parts, g.ours["hangs"], other) == points, other


@pytest.mark.parametrize("hw", HOMEWORK)
def test_stock_nbgrader_gives_honest_work_the_same_scores(graded, hw):
    g = graded[hw]
    assert set(g.stock) == set(g.ours) - {"hangs"}
    tests = [t for ids in g.parts.tests.values() for t in ids]
    for student, stock_grades in g.stock.items():
        for cell in tests:
            assert g.ours[student][cell][0] == stock_grades[cell][0], (student, cell)
        for cell in g.parts.manual:
            assert g.ours[student][cell] == stock_grades[cell], (student, cell)


@pytest.mark.parametrize("hw", HOMEWORK)
def test_feedback_has_hints_but_never_hidden_tests(graded, hw):
    g = graded[hw]
    hidden = secret_lines(
        [source_notebook(hw)],
        regions=("HIDDEN TESTS",),
        modules=[source_notebook(hw).parent / "hidden_tests.py"],
    )
    for course in (g.course, g.stock_course):
        pages = sorted((course.root / "feedback").glob(f"*/{hw}/*.html"))
        assert {p.parts[-3] for p in pages} == set(course.scores()), course.root
        for page in pages:
            # Lines the student wrote themselves may coincide with hidden ones.
            student = page.parts[-3]
            submitted = course.root / "submitted" / student / hw / course.notebook_name
            cells = nbformat.read(submitted, as_version=4).cells
            own = "\n".join(
                normalise(line) for c in cells for line in c.source.split("\n")
            )
            secret = {line for line in hidden if line not in own}
            assert find_leaks(page.parent, secret) == [], (course.root.name, student)
            assert not any(m in page.read_text() for m in MARKERS)
    # Power check: the stock autograded notebooks do hold the hidden regions.
    assert find_leaks(g.stock_course.root / "autograded" / SOLUTION, hidden)
    released = g.course.root / "feedback" / RELEASED / hw / g.course.notebook_name
    assert "NotImplementedError" in released.with_suffix(".html").read_text()
    hinted = [p for h, part, p in WRONG if h == hw]
    pages = [
        (g.course.root / "feedback" / _student_id("wrong", p.parent.name, p) / hw)
        .joinpath(g.course.notebook_name)
        .with_suffix(".html")
        .read_text()
        for p in hinted
    ]
    with_hint = [
        page for page in pages if "The hidden tests found a wrong result" not in page
    ]
    assert len(with_hint) >= len(pages) // 2, "most common mistakes should get a hint"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_grades_export_lists_every_student(graded, hw):
    g = graded[hw]
    with open(g.course.root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(g.ours)
    autograded = sum(g.parts.points.values())
    assert float(rows[SOLUTION]["total_score"]) == autograded
    assert float(rows[RELEASED]["total_score"]) == 0
    report = (g.course.root / "grades_report.html").read_text()
    assert report.count("data:image/png;base64") >= 3


def test_stock_nbgrader_without_our_configuration_zeroes_a_warning(tmp_path):
    """Power check of the IgnorePattern setting: stock nbgrader zeroes that answer."""
    hw = HOMEWORK[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path, hw)
    first, noisy = _noisy(parts)
    course.submit("warns", course.make({**parts.answers, first: noisy}))
    course.autograde("--IgnorePattern.enabled=False")
    assert _auto(parts, course.scores()["warns"], first) == 0


def test_stock_nbgrader_times_out_a_cell_and_grades_the_rest(tmp_path):
    hw = HOMEWORK[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path, hw)
    first, hang = _hanging(parts)
    course.submit("hangs", course.make({**parts.answers, first: hang}))
    course.autograde("--Execute.timeout=5")
    grades = course.scores()["hangs"]
    assert _auto(parts, grades, first) == 0
    for other, points in parts.points.items():
        if other != first:
            assert _auto(parts, grades, other) == points, other
