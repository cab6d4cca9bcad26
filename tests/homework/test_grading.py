"""Tests of the tests: every homework, graded as an instructor grades it.

The whole term is graded once (see :mod:`tests.homework.term`): every honest
submission of every homework by ``course grade`` (sandboxed, the course's
grader) in one call, and a stratified sample of them by stock
``nbgrader autograde`` (in the student's kernel). With ``course grade``: the
solution earns full marks, the released student version earns zero, every
plausible wrong answer in ``bank/`` loses points on its own part (and only
there), every correct answer written differently from ours earns full marks,
a warning or deleted test cells cost nothing. Stock nbgrader gives every
sampled submission exactly the same scores. The nbgrader configuration's own
defences are exercised on the stock side. ``HW=hw03`` grades one homework.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from ..leaks import MARKERS, find_leaks, normalise, secret_lines
from .harness import BANK, Course, Parts, homework_ids, parts_of, source_notebook
from .term import (
    RELEASED,
    SOLUTION,
    bank,
    hanging,
    noisy,
    selected_homework,
    student_id,
)

HOMEWORK = selected_homework()
WRONG = [case for hw in HOMEWORK for case in bank(hw, "wrong")]
RIGHT = [case for hw in HOMEWORK for case in bank(hw, "right")]
# Every test that reads the graded term runs in one pytest-xdist worker.
TERM = [pytest.mark.slow, pytest.mark.xdist_group("term")]


@pytest.mark.xdist_group("term")
def test_the_graded_term_is_one_xdist_group(request):
    """pytest-xdist tags a grouped test's id; untagged, every worker grades the term."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by pytest-xdist with --dist loadgroup (make test does)")
    assert request.node.nodeid.endswith("@term"), (
        "pytest-xdist did not group this test (pytest 9.2 breaks loadgroup: "
        "pytest-xdist issue #1386); install the pinned versions with `make venv`"
    )


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


def _on_term(func):
    """Mark a test that reads the graded term (slow; one xdist worker for all)."""
    for mark in reversed(TERM):
        func = mark(func)
    return func


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_solution_earns_full_marks(term, hw):
    g = term[hw]
    for part, points in g.parts.points.items():
        assert _auto(g.parts, g.ours[SOLUTION], part) == points, part
    for cell in g.parts.manual:
        assert g.ours[SOLUTION][cell][1], f"{cell} must wait for a human grader"


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_released_version_earns_zero(term, hw):
    g = term[hw]
    for cell, (score, _needs_manual) in g.ours[RELEASED].items():
        assert score == 0, f"{cell} scored {score} on the untouched student version"
    assert set(g.ours[RELEASED]) >= set(g.parts.manual)


@_on_term
@pytest.mark.parametrize(
    ("hw", "part", "path"), WRONG, ids=lambda v: getattr(v, "stem", v)
)
def test_wrong_answer_loses_points_on_its_part_only(term, hw, part, path):
    g = term[hw]
    grades = g.ours[student_id("wrong", part, path)]
    assert _auto(g.parts, grades, part) < g.parts.points[part], (
        f"{path.name} earned full marks on {part}"
    )
    for other in g.parts.answers:
        if other != part:
            assert _auto(g.parts, grades, other) == g.parts.points[other], (
                f"{path.name} for {part} cost points on {other}"
            )


@_on_term
@pytest.mark.parametrize(
    ("hw", "part", "path"), RIGHT, ids=lambda v: getattr(v, "stem", v)
)
def test_answer_written_differently_earns_full_marks(term, hw, part, path):
    g = term[hw]
    grades = g.ours[student_id("right", part, path)]
    for each, points in g.parts.points.items():
        assert _auto(g.parts, grades, each) == points, f"{path.name}: {each}"


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_warnings_and_deleted_test_cells_cost_nothing(term, hw):
    g = term[hw]
    for student in ("warns", "deleted-tests"):
        for part, points in g.parts.points.items():
            assert _auto(g.parts, g.ours[student], part) == points, (student, part)
    first = next(iter(g.parts.answers))
    assert _auto(g.parts, g.ours["deleted-tests-wrong"], first) == 0


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_stock_nbgrader_gives_the_sample_the_same_scores(term, hw):
    g = term[hw]
    assert set(g.stock) == set(term.samples[hw])
    tests = [t for ids in g.parts.tests.values() for t in ids]
    for student, stock_grades in g.stock.items():
        for cell in tests:
            assert g.ours[student][cell][0] == stock_grades[cell][0], (student, cell)
        for cell in g.parts.manual:
            assert g.ours[student][cell] == stock_grades[cell], (student, cell)
        assert g.ours_comments[student] == g.stock_comments[student], student


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_the_stock_sample_covers_every_part_and_the_kernel_sensitive_answers(term, hw):
    sample = set(term.samples[hw])
    g = term[hw]
    for part in g.parts.answers:
        assert any(s.startswith(f"wrong-{part}-") for s in sample), part
    assert any(s.startswith("right-") for s in sample)
    sensitive = {
        student_id(kind, part, path)
        for kind in ("wrong", "right")
        for _, part, path in bank(hw, kind)
        if "mutat" in path.stem or "in_place" in path.stem
    }
    assert sensitive <= sample


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_feedback_has_hints_but_never_hidden_tests(term, hw):
    g = term[hw]
    hidden = secret_lines(
        [source_notebook(hw)],
        regions=("HIDDEN TESTS",),
        modules=[source_notebook(hw).parent / "hidden_tests.py"],
    )
    for course in (g.course, g.stock_course):
        pages = sorted((course.root / "feedback").glob(f"*/{hw}/*.html"))
        assert {p.parts[-3] for p in pages} == set(course.scores(hw)), course.root
        for page in pages:
            # Lines the student wrote themselves may coincide with hidden ones.
            student = page.parts[-3]
            submitted = (
                course.root / "submitted" / student / hw / course.notebook_names[hw]
            )
            cells = nbformat.read(submitted, as_version=4).cells
            own = "\n".join(
                normalise(line) for c in cells for line in c.source.split("\n")
            )
            secret = {line for line in hidden if line not in own}
            assert find_leaks(page.parent, secret) == [], (course.root.name, student)
            assert not any(m in page.read_text() for m in MARKERS)
    # Power check: the stock autograded notebooks do hold the hidden regions.
    assert find_leaks(g.stock_course.root / "autograded" / SOLUTION / hw, hidden)
    name = Path(g.course.notebook_names[hw]).with_suffix(".html").name
    released = g.course.root / "feedback" / RELEASED / hw / name
    assert "NotImplementedError" in released.read_text()
    hinted = [p for h, part, p in WRONG if h == hw]
    pages = [
        (
            g.course.root
            / "feedback"
            / student_id("wrong", p.parent.name, p)
            / hw
            / name
        ).read_text()
        for p in hinted
    ]
    with_hint = [
        page for page in pages if "The hidden tests found a wrong result" not in page
    ]
    assert len(with_hint) >= len(pages) // 2, "most common mistakes should get a hint"


@_on_term
@pytest.mark.parametrize("hw", HOMEWORK)
def test_grades_export_lists_every_student(term, hw):
    g = term[hw]
    with open(g.course.root / "grades.csv", newline="") as handle:
        rows = {
            row["student_id"]: row
            for row in csv.DictReader(handle)
            if row["assignment"] == hw and row["submitted"] == "True"
        }
    assert set(rows) == set(g.ours)
    autograded = sum(g.parts.points.values())
    assert float(rows[SOLUTION]["total_score"]) == autograded
    assert float(rows[RELEASED]["total_score"]) == 0
    report = (g.course.root / "grades_report.html").read_text()
    assert report.count("data:image/png;base64") >= 3


@pytest.mark.slow
def test_stock_nbgrader_without_our_configuration_zeroes_a_warning(tmp_path):
    """Power check of the IgnorePattern setting: stock nbgrader zeroes that answer."""
    hw = homework_ids()[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path, hw)
    first, code = noisy(parts)
    course.submit("warns", course.make({**parts.answers, first: code}))
    course.autograde("--IgnorePattern.enabled=False")
    assert _auto(parts, course.scores()["warns"], first) == 0


@pytest.mark.slow
def test_a_hanging_function_costs_only_its_part_in_both_graders(tmp_path):
    """Hanging is tested once, with short limits, not in every homework."""
    hw = homework_ids()[0]
    parts = parts_of(source_notebook(hw))
    course = Course(tmp_path / "ours", hw)
    stock = course.copy(tmp_path / "stock")
    first, hang = hanging(parts)
    for each in (course, stock):
        each.submit("hangs", each.make({**parts.answers, first: hang}))
    course.course("grade", hw, "--call-timeout", "5", "--quiet")
    stock.autograde("--Execute.timeout=5")
    for grades in (course.scores()["hangs"], stock.scores()["hangs"]):
        assert _auto(parts, grades, first) == 0
        for other, points in parts.points.items():
            if other != first:
                assert _auto(parts, grades, other) == points, other
