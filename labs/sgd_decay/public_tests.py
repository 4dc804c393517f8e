"""Public tests of the SGD-with-momentum lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np


def _small_problem():
    X = np.array([[1.0, 0.5], [0.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    y = np.array([1.0, 2.0, 0.0, -1.0])
    return X, y


def test_q1_plain_step(student):
    w, buf = student.sgd_step(np.array([1.0, -2.0]), np.array([0.5, 0.5]), None, 0.1)
    np.testing.assert_allclose(np.asarray(w, dtype=float), [0.95, -2.05], atol=1e-12,
                               err_msg="without decay or momentum, w_new = w - lr * grad")
    np.testing.assert_allclose(np.asarray(buf, dtype=float), [0.5, 0.5], atol=1e-12,
                               err_msg="on the first step the buffer is the gradient")


def test_q1_returns_w_and_buffer(student):
    out = student.sgd_step(np.zeros(3), np.ones(3), None, 0.1, momentum=0.9, weight_decay=0.1)
    assert len(out) == 2, "sgd_step returns a pair (w_new, buf_new)"
    assert np.shape(out[0]) == (3,) and np.shape(out[1]) == (3,), "both have the shape of w"


def test_q1_decay_alone_shrinks(student):
    w = np.array([2.0, -4.0])
    for decoupled in (False, True):
        w_new, _ = student.sgd_step(w, np.zeros(2), None, 0.1, weight_decay=0.5,
                                    decoupled=decoupled)
        np.testing.assert_allclose(np.asarray(w_new, dtype=float), 0.95 * w, atol=1e-12,
                                   err_msg="with a zero gradient one step multiplies w by "
                                           "1 - lr * weight_decay (both conventions)")


def test_q1_trajectory_shapes(student):
    grads = np.ones((5, 2))
    iterates, buffers = student.drive("sgd_trajectory", np.zeros(2), grads, 0.1, 0.9, 0.0)
    assert np.shape(iterates) == (5, 2) and np.shape(buffers) == (5, 2)
    assert np.asarray(iterates)[-1, 0] < np.asarray(iterates)[0, 0], \
        "with a positive gradient the weight must decrease"


def test_q2_gradient_at_zero(student):
    X, y = _small_problem()
    g = np.asarray(student.least_squares_grad(np.zeros(2), X, y), dtype=float)
    np.testing.assert_allclose(g, -X.T @ y / len(y), atol=1e-12,
                               err_msg="at w = 0 the gradient is -X^T y / n")


def test_q2_ridge_shape_and_zero_penalty(student):
    X, y = _small_problem()
    w = np.asarray(student.ridge(X, y, 0.0), dtype=float)
    assert w.shape == (2,), f"ridge should return shape (2,), got {w.shape}"
    np.testing.assert_allclose(X.T @ (X @ w - y), 0.0, atol=1e-10,
                               err_msg="with lam = 0 ridge is least squares: X^T (X w - y) = 0")


def test_q2_run_sgd_shape(student):
    X, y = _small_problem()
    path = np.asarray(student.run_sgd(X, y, np.zeros(2), 0.1, 0.9, 0.1, False, 7), dtype=float)
    assert path.shape == (8, 2), f"expected n_steps + 1 = 8 rows (w0 first), got {path.shape}"
    np.testing.assert_allclose(path[0], 0.0, err_msg="the first row is w0")


def test_q3_no_decay_no_strength(student):
    assert float(student.effective_l2(0.0, 0.9, True)) == 0.0
    assert float(student.effective_l2(0.0, 0.9, False)) == 0.0


def test_q3_answer_is_a_letter(student):
    answer = student.value("answer_q3")
    assert answer in ("A", "B", "C", "D"), 'answer_q3 must be one of "A", "B", "C", "D"'


def test_q4_no_momentum(student):
    assert abs(float(student.matched_weight_decay(0.3, 0.0)) - 0.3) < 1e-12, \
        "without momentum the two conventions agree"


def test_q4_answer_is_a_letter(student):
    answer = student.value("answer_q4")
    assert answer in ("A", "B", "C", "D"), 'answer_q4 must be one of "A", "B", "C", "D"'
