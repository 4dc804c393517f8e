"""Public tests of the Lipschitz lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np


def test_q1_diagonal_matrix(student):
    W = np.diag([3.0, 1.0, 0.5])
    sigma, u, v = student.power_iteration(W, n_iter=60, v0=np.array([1.0, 1.0, 1.0]))
    assert abs(float(sigma) - 3.0) < 1e-9, f"sigma_1 of diag(3, 1, 0.5) is 3, got {sigma}"
    assert np.shape(u) == (3,) and np.shape(v) == (3,), "u and v should have shape (3,)"
    assert abs(abs(float(np.asarray(v)[0])) - 1.0) < 1e-9, "v should turn towards e_1"


def test_q1_one_step_from_e1(student):
    W = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    sigma, u, v = student.power_iteration(W, n_iter=1, v0=np.array([1.0, 0.0]))
    assert np.shape(u) == (3,) and np.shape(v) == (2,), "u has shape (m,), v shape (n,)"
    assert abs(float(sigma) - 2.0) < 1e-12, f"one step from v0 = e_1 gives sigma = 2, got {sigma}"


def test_q1_unnormalised_start(student):
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    a = student.power_iteration(W, n_iter=3, v0=np.array([1.0, 1.0]))
    b = student.power_iteration(W, n_iter=3, v0=np.array([5.0, 5.0]))
    assert abs(float(a[0]) - float(b[0])) < 1e-12, "normalise v0 first: its length must not matter"


def test_q2_single_layer_bound(student):
    W = np.diag([2.0, -5.0])
    bound = float(student.lipschitz_upper_bound([W]))
    assert abs(bound - 5.0) < 1e-9, f"||diag(2, -5)||_2 = 5, got {bound}"


def test_q2_jacobian_shape_and_relu(student):
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W2 = np.array([[1.0, 1.0, 1.0]])
    J = np.asarray(student.mlp_jacobian([W1, W2], np.array([1.0, -2.0])), dtype=float)
    assert J.shape == (1, 2), f"J should have shape (outputs, inputs) = (1, 2), got {J.shape}"
    # at x = (1, -2) the pre-activations are (1, -2, -1): only the first unit is active
    np.testing.assert_allclose(J, [[1.0, 0.0]], atol=1e-12,
                               err_msg="only active ReLU units pass the gradient")


def test_q3_simple_radius(student):
    logits = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    r = np.asarray(student.certified_radius(logits, 1.0), dtype=float)
    assert r.shape == (2,), f"one radius per row, got shape {r.shape}"
    np.testing.assert_allclose(r, [2.0 / np.sqrt(2.0), 0.0], atol=1e-12,
                               err_msg="margin (top minus runner-up) over sqrt(2) K")


def test_q4_flip_two_logits(student):
    W = np.array([[1.0, 0.0], [-1.0, 0.0]])
    x = np.array([1.0, 0.5])
    delta = np.asarray(student.min_flip_perturbation(W, x), dtype=float)
    assert delta.shape == (2,), f"delta should have shape (2,), got {delta.shape}"
    assert np.argmax(W @ (x + delta)) == 1, "x + delta should be classified as class 1"
    assert abs(np.linalg.norm(delta) - 1.0) < 1e-5, "the boundary x1 = 0 is at distance 1"


def test_q5_single_matrix(student):
    W = np.array([[3.0, 0.0], [0.0, 1.0]])
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    got = float(student.jacobian_lower_bound([W], X))
    assert abs(got - 3.0) < 1e-9, f"a linear map has Jacobian W everywhere: expected 3, got {got}"


def test_q5_answer_is_a_letter(student):
    answer = student.value("answer_q5")
    assert answer in ("A", "B", "C", "D"), 'answer_q5 must be one of "A", "B", "C", "D"'
