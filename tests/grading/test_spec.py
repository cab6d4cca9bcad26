import pytest

from course_tools.grading.spec import Fail, Outcome, returned_values


def test_returned_values_in_order():
    outcomes = [Outcome(value=None), Outcome(value=[1, 2]), Outcome(value="a")]
    assert returned_values(outcomes) == [None, [1, 2], "a"]
    assert returned_values([]) == []


def test_returned_values_fail_on_the_first_error():
    outcomes = [
        Outcome(value=1),
        Outcome(error="TimeoutError: the call took longer than 30 s"),
        Outcome(error="ValueError: later"),
    ]
    with pytest.raises(
        Fail, match=r"^Your function raised an error: TimeoutError: the call took"
    ):
        returned_values(outcomes)
