"""q4: the questions answered from the plot."""

import pytest

pytestmark = pytest.mark.exercise("q4")


@pytest.mark.points(1)
def test_answer_q4a(student):
    """answer_q4a: the statement about the three regimes that your plot supports."""
    answer = student.value("answer_q4a")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"


@pytest.mark.points(1)
def test_answer_q4b(student):
    """answer_q4b: which property of the curves is a theorem and which an observation."""
    answer = student.value("answer_q4b")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
