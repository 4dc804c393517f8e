"""q5: the row-norm path and the question answered from its plot."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q5")


@pytest.mark.points(2)
def test_row_norm_path_matches_sklearn(student, make_problem, ref):
    """row_norm_path(X, Y, lams) has one row per lam, in the given order, holding the row norms
    of the group lasso solution (compared with scikit-learn's MultiTaskLasso)."""
    X, Y, lam_max = make_problem(n=60, d=10, m=3)
    lams = lam_max * np.array([0.05, 0.6, 0.2, 1.2])
    path = student.row_norm_path(X, Y, lams, n_iter=2000)
    expected = np.array([np.linalg.norm(ref.sklearn(X, Y, lam), axis=1) for lam in lams])
    assert_close(path, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.points(1)
def test_answer_q5(student):
    """answer_q5: the statement that your row-norm path supports."""
    answer = student.value("answer_q5")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
