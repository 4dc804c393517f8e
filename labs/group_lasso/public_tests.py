"""Public tests of the group-lasso lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np


def _small_problem():
    X = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [2.0, -1.0, 1.0]])
    Y = np.array([[1.0, 0.0], [2.0, 1.0], [0.5, -1.0], [-1.0, 0.5]])
    return X, Y


def test_q1_simple_rows(student):
    W = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    got = np.asarray(student.group_soft_threshold(W, 1.0), dtype=float)
    expected = np.array([[2.4, 3.2], [0.0, 0.0], [0.0, 0.0]])
    assert got.shape == (3, 2), f"expected shape (3, 2), got {got.shape}"
    assert np.all(np.isfinite(got)), "an all-zero row must not give nan (division by zero)"
    np.testing.assert_allclose(got, expected, atol=1e-12,
                               err_msg="row [3, 4] has norm 5: it becomes (1 - 1/5) [3, 4]; "
                                       "row [0.3, 0.4] has norm 0.5 <= 1: it becomes 0")


def test_q1_row_at_threshold_is_zero(student):
    got = np.asarray(student.group_soft_threshold(np.array([[3.0, 4.0]]), 5.0), dtype=float)
    assert np.all(got == 0), "a row whose norm equals k must become exactly zero"


def test_q2_objective_at_zero(student):
    X, Y = _small_problem()
    got = float(student.group_lasso_objective(np.zeros((3, 2)), X, Y, 0.3))
    expected = np.sum(Y**2) / (2 * len(Y))
    assert abs(got - expected) < 1e-12, "at W = 0 the objective is ||Y||_F^2 / (2n)"


def test_q2_lam_max_is_a_positive_number(student):
    X, Y = _small_problem()
    got = float(student.group_lasso_lam_max(X, Y))
    assert got > 0, f"lam_max should be positive here, got {got}"


def test_q3_step_shape(student):
    X, Y = _small_problem()
    W = np.asarray(student.prox_grad_step(np.zeros((3, 2)), X, Y, 0.1, 0.05), dtype=float)
    assert W.shape == (3, 2), f"prox_grad_step should return shape (3, 2), got {W.shape}"


def test_q3_returns_W_and_history(student):
    X, Y = _small_problem()
    W, history = student.group_lasso(X, Y, 0.1, n_iter=7)
    assert np.shape(W) == (3, 2), f"W should have shape (3, 2), got {np.shape(W)}"
    assert np.shape(history) == (7,), f"history should have shape (7,), got {np.shape(history)}"


def test_q3_large_lam_gives_zeros(student):
    X, Y = _small_problem()
    lam_max = np.max(np.linalg.norm(X.T @ Y, axis=1)) / len(Y)
    W, _ = student.group_lasso(X, Y, 2 * lam_max, n_iter=20)
    assert np.all(np.asarray(W) == 0), "for lam > lam_max the group lasso solution is 0"


def test_q3_trajectory_moves(student):
    X, Y = _small_problem()
    steps = np.asarray(student.drive("prox_grad_trajectory", X, Y, 0.01, 0.05, 3))
    assert steps.shape == (3, 3, 2), f"expected 3 iterates of shape (3, 2), got {steps.shape}"
    assert np.any(steps[-1] != 0), "with a small lam, the iterates should move away from W = 0"


def test_q4_shapes(student):
    X, Y = _small_problem()
    ratios = np.asarray(student.kkt_ratios(np.zeros((3, 2)), X, Y, 0.2), dtype=float)
    assert ratios.shape == (3,), f"kkt_ratios should return one ratio per row, got {ratios.shape}"
    violation = float(student.kkt_violation(np.zeros((3, 2)), X, Y, 0.2))
    assert violation >= 0, f"a violation is never negative, got {violation}"


def test_q4_zero_is_optimal_above_lam_max(student):
    X, Y = _small_problem()
    lam_max = np.max(np.linalg.norm(X.T @ Y, axis=1)) / len(Y)
    violation = float(student.kkt_violation(np.zeros((3, 2)), X, Y, 1.5 * lam_max))
    assert violation == 0, f"W = 0 is the solution for lam > lam_max: expected 0, got {violation}"


def test_q5_path_shape(student):
    X, Y = _small_problem()
    path = np.asarray(student.row_norm_path(X, Y, [0.5, 0.1], n_iter=10), dtype=float)
    assert path.shape == (2, 3), f"expected shape (2, 3), got {path.shape}"


def test_q5_answer_is_a_letter(student):
    answer = student.value("answer_q5")
    assert answer in ("A", "B", "C", "D"), 'answer_q5 must be one of "A", "B", "C", "D"'
