"""Public tests of the rescaling lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np

# a 2 -> 2 -> 1 network
W_TOY = [np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([[3.0, -1.0]])]
B_TOY = [np.array([0.0, -1.0]), np.array([0.5])]


def test_q1_tiny_network(student):
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    out = np.asarray(student.mlp_forward(W_TOY, B_TOY, X), dtype=float)
    assert out.shape == (2, 1), f"outputs should have shape (n, d_out) = (2, 1), got {out.shape}"
    # x = (1, 0): hidden relu(1, 1) = (1, 1), output 3 - 1 + 0.5
    # x = (0, 1): hidden relu(-1, -1) = (0, 0), output 0.5
    np.testing.assert_allclose(out[:, 0], [2.5, 0.5], atol=1e-12,
                               err_msg="ReLU on the hidden layer, none on the output")


def test_q2_rescaled_entries(student):
    W2, b2 = student.rescale_unit(W_TOY, B_TOY, 0, 1, 2.0)
    np.testing.assert_allclose(np.asarray(W2[0]), [[1.0, -1.0], [4.0, 0.0]], atol=1e-12,
                               err_msg="row `unit` of the incoming matrix times c")
    np.testing.assert_allclose(np.asarray(b2[0]), [0.0, -2.0], atol=1e-12,
                               err_msg="the unit's bias times c")
    np.testing.assert_allclose(np.asarray(W2[1]), [[3.0, -0.5]], atol=1e-12,
                               err_msg="column `unit` of the outgoing matrix divided by c")
    assert float(W_TOY[0][1, 0]) == 2.0, "the arrays passed in must not change: work on copies"


def test_q3_toy_sum(student):
    got = float(student.sum_squared_weights(W_TOY, B_TOY))
    assert abs(got - (6.0 + 10.0 + 1.0 + 0.25)) < 1e-12, f"expected 17.25, got {got}"


def test_q4_toy_path_norm(student):
    no_bias = [np.zeros(2), np.zeros(1)]
    # paths: 9 * (1 + 1) + 1 * (4 + 0) = 22
    got = float(student.path_norm_squared(W_TOY, no_bias))
    assert abs(got - 22.0) < 1e-12, f"without biases: 9 (1 + 1) + 1 (4 + 0) = 22, got {got}"
    brute = float(student.path_norm_brute_force(W_TOY))
    assert abs(brute - 22.0) < 1e-12, f"the sum over the 4 paths is 22, got {brute}"


def test_q5_balanced_unit(student):
    # unit 0 of the toy net: incoming (1, -1) and bias 0 (A = 2), outgoing 3 (B = 9)
    c = float(student.balancing_scale(W_TOY, B_TOY, 0, 0))
    assert abs(c - (9.0 / 2.0) ** 0.25) < 1e-12, f"c* = (B / A)^(1/4) = (9/2)^(1/4), got {c}"


def test_q5_answer_is_a_letter(student):
    answer = student.value("answer_q5")
    assert answer in ("A", "B", "C", "D"), 'answer_q5 must be one of "A", "B", "C", "D"'
