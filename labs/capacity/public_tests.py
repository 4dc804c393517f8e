"""Public tests of the capacity lab: shapes and simple cases.

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


def test_q1_shape(student):
    X, y = _small_problem()
    W = np.asarray(student.ridge_coefs(X, y, [0.1, 1.0, 10.0, 100.0, 1000.0]), dtype=float)
    assert W.shape == (5, 3), f"expected one row per lam, shape (5, 3), got {W.shape}"


def test_q1_orthonormal_design(student):
    X = np.eye(3)
    y = np.array([2.0, -1.0, 4.0])
    W = np.asarray(student.ridge_coefs(X, y, [0.0, 1.0]), dtype=float)
    np.testing.assert_allclose(W, [y, y / 2], atol=1e-12,
                               err_msg="for X = I, w_lam = y / (1 + lam)")


def test_q2_mse_simple(student):
    got = float(student.mse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])))
    assert abs(got - 4.0 / 3.0) < 1e-12, f"mse([1, 2, 3], [1, 0, 3]) should be 4/3, got {got}"


def test_q2_sweep_shapes(student):
    X, y = _small_problem()
    train, val = student.sweep_errors(X, y, X[:2], y[:2], [0.1, 1.0, 10.0])
    assert np.shape(train) == (3,), f"train_mse should have shape (3,), got {np.shape(train)}"
    assert np.shape(val) == (3,), f"val_mse should have shape (3,), got {np.shape(val)}"


def test_q3_best_lam_simple(student):
    got = float(student.best_lam([0.01, 0.1, 1.0, 10.0], [5.0, 2.0, 3.0, 4.0]))
    assert got == 0.1, f"the smallest validation error is at lam = 0.1, got {got}"


def test_q3_regimes_simple(student):
    labels = student.classify_regimes([0.1, 0.5, 1.0, 2.0], [9.0, 1.0, 1.05, 3.0], tol=0.1)
    assert isinstance(labels, list), f"return a Python list of strings, got {type(labels)}"
    assert labels == ["overfit", "good", "good", "underfit"], f"got {labels}"


def test_q4_answers_are_letters(student):
    for name in ("answer_q4a", "answer_q4b"):
        answer = student.value(name)
        assert answer in ("A", "B", "C", "D"), f'{name} must be one of "A", "B", "C", "D"'
