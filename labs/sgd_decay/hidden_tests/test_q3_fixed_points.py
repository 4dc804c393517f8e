"""q3: the fixed points of coupled and decoupled SGD with momentum."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q3")


def _fixed_point_strength(ref, X, y, lr, mu, lam, decoupled):
    """Run the reference SGD to convergence and read lam' off grad f(w*) + lam' w* = 0."""
    _, d = X.shape
    it, _ = ref.torch_sgd(np.zeros(d), lambda k, w: ref.ls_grad(w, X, y), 1500, lr, mu, lam,
                          decoupled)
    w_star = it[-1]
    strength = -ref.ls_grad(w_star, X, y) / w_star
    assert np.ptp(strength) < 1e-8 * max(1.0, abs(strength[0]))  # it is a ridge solution
    return float(strength.mean())


@pytest.mark.points(1)
def test_effective_l2_decoupled(student, make_problem, rng, ref):
    """effective_l2(weight_decay, momentum, decoupled=True): the ridge strength of decoupled
    SGD's fixed point (checked against a long reference run)."""
    X, y = make_problem(n=40, d=2)
    for _ in range(2):
        lam, mu = float(rng.uniform(0.1, 1.0)), float(rng.uniform(0.3, 0.9))
        expected = _fixed_point_strength(ref, X, y, 0.05, mu, lam, True)
        assert_scalar_close(student.effective_l2(lam, mu, True), expected, rtol=1e-6)


@pytest.mark.points(1)
def test_effective_l2_coupled(student, make_problem, rng, ref):
    """effective_l2(weight_decay, momentum, decoupled=False): the ridge strength of coupled
    SGD's fixed point (checked against a long reference run), for several momenta."""
    X, y = make_problem(n=40, d=2)
    lam = float(rng.uniform(0.1, 1.0))
    for mu in (0.0, float(rng.uniform(0.3, 0.9))):
        expected = _fixed_point_strength(ref, X, y, 0.05, mu, lam, False)
        assert_scalar_close(student.effective_l2(lam, mu, False), expected, rtol=1e-6)
    assert_scalar_close(student.effective_l2(lam, 0.0, True), lam, rtol=1e-12)


@pytest.mark.points(1)
def test_answer_q3(student):
    """answer_q3: the statement that your plot of the two paths supports."""
    answer = student.value("answer_q3")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
