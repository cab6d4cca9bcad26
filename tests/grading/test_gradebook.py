"""What course grade writes to nbgrader's gradebook: answers left as released
are "No response." as nbgrader records them."""

from __future__ import annotations

from ..homework.harness import Course, parts_of, source_notebook

HW = "hw01"
PARTS = parts_of(source_notebook(HW))


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
