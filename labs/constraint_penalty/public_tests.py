"""Public tests of the constraint-and-penalty lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np


def _small_problem():
    X = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [2.0, -1.0, 1.0]])
    y = np.array([1.0, 2.0, 0.5, -1.0])
    return X, y


def _tiny_svm():
    X = np.array([[2.0, 0.0], [3.0, 1.0], [0.0, 0.0], [-1.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    return X, y


def test_q1_orthonormal_design(student):
    X, y = np.eye(3), np.array([2.0, -1.0, 4.0])
    w = np.asarray(student.ridge_svd(X, y, 1.0), dtype=float)
    np.testing.assert_allclose(w, y / 2, atol=1e-12, err_msg="for X = I, w_lam = y / (1 + lam)")
    got = float(student.ridge_norm_sq(X, y, 1.0))
    assert abs(got - 21 / 4) < 1e-12, f"for X = I and lam = 1, ||w||^2 = ||y||^2 / 4, got {got}"


def test_q1_shape(student):
    X, y = _small_problem()
    w = np.asarray(student.ridge_svd(X, y, 0.5), dtype=float)
    assert w.shape == (3,), f"ridge_svd should return shape (3,), got {w.shape}"


def test_q2_budget_on_orthonormal_design(student):
    X, y = np.eye(2), np.array([3.0, 4.0])
    # ||w_lam||^2 = 25 / (1 + lam)^2 = C  <=>  lam = 5 / sqrt(C) - 1
    got = float(student.lambda_for_budget(X, y, 1.0))
    assert abs(got - 4.0) < 1e-9, f"with X = I, y = (3, 4), C = 1: lam* = 4, got {got}"


def test_q2_slack_budget_gives_zero(student):
    X, y = _small_problem()
    got = float(student.lambda_for_budget(X, y, 1e6))
    assert got == 0.0, f"a budget larger than ||w_OLS||^2 does not bind: lam* = 0, got {got}"


def test_q3_shapes(student):
    X, y = _small_problem()
    assert np.shape(student.optimal_loss(X, y, 0.1)) == ()
    assert np.shape(student.shadow_price_fd(X, y, 0.1)) == ()


def test_q4_margin_simple(student):
    X, y = _tiny_svm()
    got = float(student.geometric_margin(np.array([1.0, 0.0]), -1.0, X, y))
    assert abs(got - 1.0) < 1e-12, f"w = (1, 0), b = -1: every point is >= 1 away, got {got}"


def test_q4_tiny_svm(student):
    X, y = _tiny_svm()
    alpha = np.asarray(student.svm_dual(X, y), dtype=float)
    assert alpha.shape == (4,), f"svm_dual should return one alpha per point, got {alpha.shape}"
    w, b = student.svm_from_alpha(alpha, X, y)
    # the closest pair is (2, 0) and (0, 0): the hyperplane x_1 = 1, w = (1, 0), b = -1
    np.testing.assert_allclose(np.asarray(w, dtype=float), [1.0, 0.0], atol=1e-5)
    assert abs(float(b) + 1.0) < 1e-5, f"b should be -1, got {b}"


def test_q5_answers_are_letters(student):
    for name in ("answer_q5a", "answer_q5b"):
        answer = student.value(name)
        assert answer in ("A", "B", "C", "D"), f'{name} must be one of "A", "B", "C", "D"'
