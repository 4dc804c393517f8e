"""q4: the cosine gap and the reading of the GD plot; q5: the explicit L2 solution."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close


@pytest.mark.exercise("q4")
@pytest.mark.points(1)
def test_cosine_gap_random(student, rng):
    """cosine_gap(W, u) = 1 - w^T u / ||w|| for every row w of W (u a unit vector), including
    rows of very different lengths and a single row."""
    W = rng.standard_normal((9, 5)) * rng.uniform(0.01, 100.0, size=(9, 1))
    u = rng.standard_normal(5)
    u /= np.linalg.norm(u)
    expected = 1.0 - (W @ u) / np.sqrt(np.sum(W**2, axis=1))
    assert_close(student.cosine_gap(W, u), expected, rtol=1e-9, atol=1e-13)
    assert_close(student.cosine_gap(W[:1], u), expected[:1], rtol=1e-9, atol=1e-13)


@pytest.mark.exercise("q4")
@pytest.mark.points(1)
def test_answer_q4(student):
    """The answer to the question of q4."""
    assert student.value("answer_q4") == "B"


@pytest.mark.exercise("q5")
@pytest.mark.points(2)
def test_l2_logistic_matches_reference(student, rng, make_separable, ref):
    """l2_logistic(X, y, lam) minimises the mean logistic loss plus lam/2 ||w||^2 (compared
    with an independent BFGS solution), for random data and lam from 1e-3 to 10; its gradient
    vanishes there."""
    X, y = make_separable(40, 4)
    for lam in (10.0, float(rng.uniform(0.05, 0.5)), 1e-3):
        w = as_float_array(student.l2_logistic(X, y, lam), "w")
        w_ref = ref.l2(X, y, lam)
        assert_close(w, w_ref, rtol=1e-5, atol=1e-7, name=f"w_lam at lam = {lam}")
        assert np.linalg.norm(ref.loss_grad(X, y, w)[1] + lam * w) < 1e-6


@pytest.mark.exercise("q5")
@pytest.mark.points(1)
def test_answer_q5(student):
    """The answer to the question of q5."""
    assert student.value("answer_q5") == "C"
