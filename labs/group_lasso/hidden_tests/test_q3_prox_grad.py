"""q3: one proximal gradient step, and the solver."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(2)
def test_prox_grad_step_random(student, make_problem, rng, ref):
    """prox_grad_step(W, X, Y, lam, step): one step from a random W with a random step size
    (use the given step, not 1/L)."""
    X, Y, lam_max = make_problem(n=50, d=20, m=3)
    for _ in range(3):
        W = rng.normal(size=(20, 3))
        lam = float(rng.uniform(0.05, 0.6)) * lam_max
        step = float(rng.uniform(0.1, 1.0)) / ref.lipschitz(X)
        assert_close(student.prox_grad_step(W, X, Y, lam, step), ref.step(W, X, Y, lam, step),
                     rtol=1e-9, atol=1e-12)


@pytest.mark.points(1)
def test_group_lasso_first_iterates(student, make_problem, ref):
    """group_lasso after 4 steps: starts at W = 0, uses step 1/L with L = ||X||_2^2 / n, and
    history[k] is the objective after step k + 1."""
    X, Y, lam_max = make_problem(n=60, d=25, m=4)
    W, history = student.group_lasso(X, Y, 0.2 * lam_max, n_iter=4)
    W_ref, hist_ref = ref.prox_grad(X, Y, 0.2 * lam_max, 4)
    assert_close(W, W_ref, rtol=1e-9, atol=1e-12, name="W")
    assert_close(history, hist_ref, rtol=1e-9, name="history")


@pytest.mark.points(2)
def test_group_lasso_converges(student, make_problem, rng, ref):
    """group_lasso with many iterations reaches the solution of scikit-learn's MultiTaskLasso
    (same objective), with exactly zero rows where that solution has zero rows."""
    X, Y, lam_max = make_problem(n=80, d=15, m=3)
    lam = float(rng.uniform(0.1, 0.3)) * lam_max
    W, _ = student.group_lasso(X, Y, lam, n_iter=3000)
    expected = ref.sklearn(X, Y, lam)
    assert_close(W, expected, rtol=1e-5, atol=1e-7)
    W = as_float_array(W)
    zero_rows = np.all(expected == 0, axis=1)
    assert zero_rows.any(), "the reference problem should have zero rows"
    assert np.all(W[zero_rows] == 0)


@pytest.mark.points(1)
def test_history_monotone_and_trajectory(student, make_problem, ref):
    """Proximal gradient with step 1/L never increases the objective, and repeated
    prox_grad_step calls follow the reference trajectory."""
    X, Y, lam_max = make_problem(n=50, d=30, m=2)
    lam = 0.05 * lam_max
    _, history = student.group_lasso(X, Y, lam, n_iter=200)
    history = as_float_array(history, "history")
    assert history.shape == (200,)
    assert np.all(np.diff(history) <= 1e-12 * max(1.0, abs(history[0])))
    step = 1.0 / ref.lipschitz(X)
    iterates = student.drive("prox_grad_trajectory", X, Y, lam, step, 5)
    expected, W = [], np.zeros((30, 2))
    for _ in range(5):
        W = ref.step(W, X, Y, lam, step)
        expected.append(W)
    assert_close(iterates, np.array(expected), rtol=1e-9, atol=1e-12, name="iterates")
