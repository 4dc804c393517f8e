"""q5: the questions answered from the plots."""

import pytest

pytestmark = pytest.mark.exercise("q5")


@pytest.mark.points(1)
def test_answer_q5a(student):
    """answer_q5a: the statement about the budget, the multiplier and the optimal loss that
    your plots support."""
    answer = student.value("answer_q5a")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"


@pytest.mark.points(1)
def test_answer_q5b(student):
    """answer_q5b: what the two SVM refits show, and why."""
    answer = student.value("answer_q5b")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
