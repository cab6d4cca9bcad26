"""The inner loop's grading check (``make check``): every homework, three submissions.

One course holds every homework; ``course grade`` grades, in one call, the
solution (full marks), the untouched release (zero) and one wrong answer per
homework (its part loses its points, the others keep theirs). ``make test``
leaves this out: the whole term, graded by ``tests/homework/test_grading.py``,
covers it.
"""

from __future__ import annotations

import pytest

from .harness import Course, parts_of, source_notebook
from .term import RELEASED, SOLUTION, bank, selected_homework

pytestmark = [pytest.mark.smoke, pytest.mark.xdist_group("smoke")]

HOMEWORK = selected_homework()


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("smoke") / "course", HOMEWORK)
    wrong = {}
    for hw in HOMEWORK:
        parts = parts_of(source_notebook(hw))
        solved = {**parts.answers, **parts.manual_answers}
        _, part, path = bank(hw, "wrong")[0]
        wrong[hw] = (parts, part)
        course.submit(SOLUTION, course.make(solved, hw=hw), hw=hw)
        course.submit(RELEASED, course.releases[hw], hw=hw)
        course.submit(
            "wrong", course.make({**solved, part: path.read_text()}, hw=hw), hw=hw
        )
    course.course("grade", *HOMEWORK, "--quiet")
    return course, wrong


@pytest.mark.parametrize("hw", HOMEWORK)
def test_solution_full_release_zero_wrong_answer_loses_its_part(smoke, hw):
    course, wrong = smoke
    parts, wrong_part = wrong[hw]
    scores = course.scores(hw)

    def auto(student: str, part: str) -> float:
        return sum(scores[student][t][0] or 0.0 for t in parts.tests[part])

    for part, points in parts.points.items():
        assert auto(SOLUTION, part) == points, part
        assert auto(RELEASED, part) == 0, part
        if part == wrong_part:
            assert auto("wrong", part) < points, part
        else:
            assert auto("wrong", part) == points, part


@pytest.mark.parametrize("hw", HOMEWORK)
def test_untouched_answers_are_no_response_and_written_ones_go_to_a_human(smoke, hw):
    """As nbgrader records them: "No response." and 0 only for what is unchanged."""
    course, wrong = smoke
    parts = wrong[hw][0]
    scores, comments = course.scores(hw), course.comments(hw)
    assert set(comments[RELEASED].values()) == {"No response."}
    assert set(comments[SOLUTION].values()) == {None}
    for cell in parts.manual:
        assert scores[RELEASED][cell] == (0.0, False), cell  # no answer: 0, done
        assert scores[SOLUTION][cell][1] is True, cell  # an answer: a human grades it
