"""Public tests of the proximal-gradient lab: shapes and simple cases.

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


def test_q1_simple_values(student):
    v = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    got = np.asarray(student.soft_threshold(v, 1.0), dtype=float)
    np.testing.assert_allclose(got, [-1.0, 0.0, 0.0, 0.0, 1.0], atol=1e-12)


def test_q1_keeps_shape(student):
    v = np.arange(-3.0, 3.0).reshape(2, 3)
    got = np.asarray(student.soft_threshold(v, 0.5), dtype=float)
    assert got.shape == (2, 3), f"expected shape (2, 3), got {got.shape}"


def test_q2_objective_at_zero(student):
    X, y = _small_problem()
    got = float(student.lasso_objective(np.zeros(3), X, y, 0.3))
    assert abs(got - y @ y / (2 * len(y))) < 1e-12, "at w = 0 the objective is ||y||^2 / (2n)"


def test_q2_ista_step_shape(student):
    X, y = _small_problem()
    w = np.asarray(student.ista_step(np.zeros(3), X, y, 0.1, 0.05), dtype=float)
    assert w.shape == (3,), f"ista_step should return shape (3,), got {w.shape}"


def test_q2_ista_returns_w_and_history(student):
    X, y = _small_problem()
    w, history = student.ista(X, y, 0.1, n_iter=7)
    assert np.shape(w) == (3,), f"w should have shape (3,), got {np.shape(w)}"
    assert np.shape(history) == (7,), f"history should have shape (7,), got {np.shape(history)}"


def test_q2_ista_trajectory_moves(student):
    X, y = _small_problem()
    steps = np.asarray(student.drive("ista_trajectory", X, y, 0.01, 0.05, 3))
    assert steps.shape == (3, 3), f"expected 3 iterates of shape (3,), got {steps.shape}"
    assert np.any(steps[-1] != 0), "with a small alpha, ISTA should move away from w = 0"


def test_q3_fista_shapes(student):
    X, y = _small_problem()
    w, history = student.fista(X, y, 0.1, n_iter=5)
    assert np.shape(w) == (3,) and np.shape(history) == (5,)


def test_q3_large_alpha_gives_zeros(student):
    X, y = _small_problem()
    alpha_max = np.max(np.abs(X.T @ y)) / len(y)
    w, _ = student.fista(X, y, 2 * alpha_max, n_iter=20)
    assert np.all(np.asarray(w) == 0), "for alpha > alpha_max the lasso solution is 0"


def test_q4_prox_with_l1_ratio_one_is_soft_threshold(student):
    v = np.array([-2.0, 0.5, 3.0])
    got = np.asarray(student.prox_elastic_net(v, 1.0, 1.0, 1.0), dtype=float)
    np.testing.assert_allclose(got, [-1.0, 0.0, 2.0], atol=1e-12)


def test_q4_elastic_net_shape(student):
    X, y = _small_problem()
    w = np.asarray(student.elastic_net(X, y, 0.1, 0.5, n_iter=10), dtype=float)
    assert w.shape == (3,), f"elastic_net should return shape (3,), got {w.shape}"


def test_q5_path_shape(student):
    X, y = _small_problem()
    path = np.asarray(student.coefficient_path(X, y, [0.5, 0.1], 0.5, n_iter=10), dtype=float)
    assert path.shape == (2, 3), f"expected shape (2, 3), got {path.shape}"


def test_q5_answer_is_a_letter(student):
    answer = student.value("answer_q5")
    assert answer in ("A", "B", "C", "D"), 'answer_q5 must be one of "A", "B", "C", "D"'


def test_q6_gap_is_nonnegative(student):
    X, y = _small_problem()
    gap = float(student.lasso_duality_gap(np.array([0.3, -0.2, 0.1]), X, y, 0.1))
    assert gap >= 0, f"a duality gap is never negative, got {gap}"
