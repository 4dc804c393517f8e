"""q4: weights without a data gradient."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q4")


@pytest.mark.points(1)
def test_mean_move_matches_torch(student, rng, ref):
    """mean_move(w0, lr, lam, n_steps, decoupled): (w0 - w_n) / n for Adam (default betas,
    eps) with zero data gradient, for both conventions (compared with torch.optim)."""
    w0 = rng.choice([-1.0, 1.0], size=6) * 10 ** rng.uniform(-1, 2, size=6)
    lr, lam, n = float(rng.uniform(1e-3, 1e-2)), float(rng.uniform(0.01, 1.0)), 15
    for decoupled in (False, True):
        move = student.mean_move(w0, lr, lam, n, decoupled)
        expected = ref.torch_adam(w0, np.zeros((n, 6)), lr=lr, weight_decay=lam,
                                  decoupled=decoupled)
        assert_close(move, (w0 - expected.iterates[-1]) / n, rtol=1e-9, atol=1e-15)


@pytest.mark.points(1)
def test_answer_q4(student):
    """answer_q4: the statement that your plot of the move per step supports."""
    answer = student.value("answer_q4")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
