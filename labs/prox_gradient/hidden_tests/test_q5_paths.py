"""q5: coefficient paths and the L1 vs elastic-net question."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q5")


@pytest.mark.points(2)
def test_coefficient_path_matches_sklearn(student, make_problem, ref):
    """coefficient_path(X, y, alphas, l1_ratio) has one row per alpha, in the given order,
    each the elastic-net solution (compared with scikit-learn)."""
    X, y, alpha_max = make_problem(n=60, d=15)
    alphas = alpha_max * np.array([0.05, 0.5, 0.2])
    path = student.coefficient_path(X, y, alphas, 0.7, n_iter=1500)
    expected = np.array([ref.sklearn_enet(X, y, a, 0.7) for a in alphas])
    assert_close(path, expected, rtol=1e-5, atol=1e-7)
    lasso = as_float_array(student.coefficient_path(X, y, alphas[:1], 1.0, n_iter=1500))
    assert_close(lasso, ref.sklearn_lasso(X, y, alphas[0])[None, :], rtol=1e-5, atol=1e-7)


@pytest.mark.points(1)
def test_answer_q5(student):
    """answer_q5: the statement that your coefficient-path plot supports."""
    answer = student.value("answer_q5")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
