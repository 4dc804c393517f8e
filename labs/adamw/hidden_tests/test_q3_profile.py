"""q3: the shrinkage profile and the question."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(1)
def test_shrinkage_profile_matches_torch(student, rng, ref):
    """shrinkage_profile(grads, w0, lr, lam, decoupled): the final parameters of Adam (default
    betas, eps) on the given gradients and the per-weight shrinkage, for both conventions."""
    d, T = 10, 30
    grads = np.logspace(-3, 1, d) * rng.normal(size=(T, d))
    w0 = rng.uniform(0.5, 2.0, size=d)
    lr, lam = float(rng.uniform(1e-3, 1e-2)), float(rng.uniform(0.05, 0.5))
    for decoupled in (False, True):
        w, S = student.shrinkage_profile(grads, w0, lr, lam, decoupled)
        expected = ref.torch_adam(w0, grads, lr=lr, weight_decay=lam, decoupled=decoupled)
        S_ref = (np.full(d, lr * lam) if decoupled
                 else lr * lam / (np.sqrt(expected.v_hat) + 1e-8))
        assert_close(w, expected.iterates[-1], rtol=1e-9, atol=1e-12, name="w_final")
        assert_close(S, S_ref, rtol=1e-9, atol=0, name="S")


@pytest.mark.points(1)
def test_answer_q3(student):
    """answer_q3: the statement that your plot of the shrinkage per weight supports."""
    answer = student.value("answer_q3")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
