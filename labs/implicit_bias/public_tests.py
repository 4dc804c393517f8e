"""Public tests of the implicit bias lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np

X_TOY = np.array([[2.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
Y_TOY = np.array([1.0, 1.0, -1.0])


def test_q1_at_zero(student):
    loss, grad = student.logistic_loss_grad(X_TOY, Y_TOY, np.zeros(2))
    assert abs(float(loss) - np.log(2.0)) < 1e-12, f"L(0) = log 2, got {loss}"
    grad = np.asarray(grad, dtype=float)
    assert grad.shape == (2,), f"grad should have shape (d,) = (2,), got {grad.shape}"
    # at w = 0 every sigma(-m_i) is 1/2: grad = -mean(z_i) / 2 with z = (2,0), (0,1), (1,1)
    np.testing.assert_allclose(grad, [-0.5, -1.0 / 3.0], atol=1e-12,
                               err_msg="at w = 0 the gradient is -mean(y_i x_i) / 2")


def test_q1_huge_margins_stay_finite(student):
    loss, grad = student.logistic_loss_grad(X_TOY, Y_TOY, np.array([-1000.0, -1000.0]))
    assert np.isfinite(float(loss)) and np.all(np.isfinite(np.asarray(grad, dtype=float))), \
        "use np.logaddexp(0, -m): the loss must stay finite for margins like -2000"


def test_q2_shape_and_start(student):
    W = np.asarray(student.gd_logistic(X_TOY, Y_TOY, 0.5, [0, 1, 5]), dtype=float)
    assert W.shape == (3, 2), f"one row per recorded step: expected (3, 2), got {W.shape}"
    np.testing.assert_allclose(W[0], [0.0, 0.0], atol=0, err_msg="w_0 is the zero vector")
    np.testing.assert_allclose(W[1], [0.25, 1.0 / 6.0], atol=1e-12,
                               err_msg="w_1 = -step * grad L(0) = step * mean(y_i x_i) / 2")


def test_q3_unit_vector_two_points(student):
    # two points, symmetric about the direction (1, 0): the max margin is along e_1
    X = np.array([[1.0, 1.0], [-1.0, 1.0]])
    y = np.array([1.0, -1.0])
    u = np.asarray(student.max_margin_direction(X, y), dtype=float)
    assert u.shape == (2,), f"u should have shape (2,), got {u.shape}"
    np.testing.assert_allclose(u, [1.0, 0.0], atol=1e-6,
                               err_msg="z = (1, 1) and (1, -1): the max-margin direction is e_1")


def test_q4_cosine_gap_simple(student):
    W = np.array([[3.0, 0.0], [1.0, 1.0], [0.0, -2.0]])
    gap = np.asarray(student.cosine_gap(W, np.array([1.0, 0.0])), dtype=float)
    assert gap.shape == (3,), f"one value per row of W: expected (3,), got {gap.shape}"
    np.testing.assert_allclose(gap, [0.0, 1.0 - 1.0 / np.sqrt(2.0), 1.0], atol=1e-12,
                               err_msg="1 - cos of the angle with u")


def test_q4_answer_is_a_letter(student):
    answer = student.value("answer_q4")
    assert answer in ("A", "B", "C", "D"), 'answer_q4 must be one of "A", "B", "C", "D"'


def test_q5_shape_and_large_lam(student):
    w = np.asarray(student.l2_logistic(X_TOY, Y_TOY, 100.0), dtype=float)
    assert w.shape == (2,), f"w should have shape (2,), got {w.shape}"
    # for a huge lam, w_lam is about -grad L(0) / lam
    np.testing.assert_allclose(w, np.array([0.5, 1.0 / 3.0]) / 100.0, rtol=2e-2,
                               err_msg="for large lam, w_lam is close to -grad L(0) / lam")


def test_q5_answer_is_a_letter(student):
    answer = student.value("answer_q5")
    assert answer in ("A", "B", "C", "D"), 'answer_q5 must be one of "A", "B", "C", "D"'
