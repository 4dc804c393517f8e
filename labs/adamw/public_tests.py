"""Public tests of the Adam + L2 vs AdamW lab: shapes and simple cases.

Each ``test_<exercise>_<what>(student)`` receives ``student``, whose attributes
are the notebook's functions and variables. Run them from the notebook with
``check("q1")``. The grader runs them too (for no points) next to its own
hidden tests, which check values on fresh random inputs.
"""

import numpy as np


def test_q1_first_step_is_lr_times_sign(student):
    out = student.drive("adam_trajectory", np.array([1.0, 1.0, 1.0]),
                        [np.array([3.0, -0.5, 2e-3])], lr=0.1)
    step = np.asarray(out["iterates"])[0] - 1.0
    np.testing.assert_allclose(step, [-0.1, 0.1, -0.1], rtol=1e-5,
                               err_msg="without decay, Adam's first step is about "
                                       "-lr * sign(grad) (bias correction)")
    assert out["t"] == 1, "the step counter t is 1 after one step"


def test_q1_state_shapes(student):
    grads = np.ones((4, 3))
    out = student.drive("adam_trajectory", np.zeros(3), grads, lr=0.01, weight_decay=0.1)
    assert np.shape(out["iterates"]) == (4, 3), "one row of parameters per step"
    assert np.shape(out["m"]) == (3,) and np.shape(out["v"]) == (3,), "m and v have w's shape"
    assert out["t"] == 4


def test_q1_adamw_zero_gradient(student):
    w0 = np.array([2.0, -1.0])
    out = student.drive("adam_trajectory", w0, np.zeros((3, 2)), lr=0.1, weight_decay=0.5,
                        decoupled=True)
    np.testing.assert_allclose(np.asarray(out["iterates"])[-1], 0.95**3 * w0, rtol=1e-12,
                               err_msg="with a zero gradient, AdamW multiplies w by "
                                       "1 - lr * weight_decay per step")


def test_q2_shrinkage_shape(student):
    S = np.asarray(student.drive("adam_shrinkage", np.ones(4), np.ones((2, 4)), lr=0.01,
                                 weight_decay=0.1, decoupled=True))
    assert S.shape == (4,), f"one shrinkage per weight, got shape {S.shape}"
    np.testing.assert_allclose(S, 0.001, rtol=1e-12, err_msg="AdamW: S = lr * weight_decay")


def test_q3_profile_shapes(student):
    w, S = student.shrinkage_profile(np.ones((5, 3)), np.ones(3), 0.01, 0.1, False)
    assert np.shape(w) == (3,) and np.shape(S) == (3,)


def test_q3_answer_is_a_letter(student):
    answer = student.value("answer_q3")
    assert answer in ("A", "B", "C", "D"), 'answer_q3 must be one of "A", "B", "C", "D"'


def test_q4_move_is_positive(student):
    move = np.asarray(student.mean_move(np.array([0.5, 5.0]), 1e-3, 0.1, 5, True))
    assert move.shape == (2,) and np.all(move > 0), "decay moves positive weights down"


def test_q4_answer_is_a_letter(student):
    answer = student.value("answer_q4")
    assert answer in ("A", "B", "C", "D"), 'answer_q4 must be one of "A", "B", "C", "D"'
