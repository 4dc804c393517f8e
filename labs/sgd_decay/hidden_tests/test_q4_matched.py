"""q4: matching the decoupled decay to the coupled one."""

import numpy as np
import pytest

from labgrader.checks import assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q4")


@pytest.mark.points(1)
def test_matched_weight_decay_reaches_ridge(student, make_problem, rng, ref):
    """matched_weight_decay(lam, momentum): decoupled SGD with this weight_decay ends at
    ridge(lam), like coupled SGD with weight_decay = lam (checked with a reference run)."""
    X, y = make_problem(n=40, d=2)
    lam, mu = float(rng.uniform(0.1, 0.5)), float(rng.uniform(0.5, 0.9))
    wd = student.matched_weight_decay(lam, mu)
    assert_scalar_close(wd, lam / (1 - mu), rtol=1e-10)
    it, _ = ref.torch_sgd(np.zeros(2), lambda k, w: ref.ls_grad(w, X, y), 1500, 0.05, mu,
                          float(wd), True)
    assert_close(it[-1], ref.ridge(X, y, lam), rtol=1e-7, atol=1e-9)


@pytest.mark.points(1)
def test_answer_q4(student):
    """answer_q4: the statement that your momentum sweep supports."""
    answer = student.value("answer_q4")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "A"
