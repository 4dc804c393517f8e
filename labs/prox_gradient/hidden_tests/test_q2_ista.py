"""q2: lasso objective, one ISTA step, ISTA."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(1)
def test_lasso_objective_random(student, make_problem, rng, ref):
    """lasso_objective(w, X, y, alpha) = ||y - Xw||^2 / (2n) + alpha ||w||_1 at random w."""
    X, y, alpha_max = make_problem(n=40, d=12)
    for _ in range(3):
        w = rng.normal(size=12)
        alpha = float(rng.uniform(0.01, 1.0)) * alpha_max
        assert_scalar_close(student.lasso_objective(w, X, y, alpha), ref.objective(w, X, y, alpha),
                            rtol=1e-10)


@pytest.mark.points(2)
def test_ista_step_random(student, make_problem, rng, ref):
    """ista_step(w, X, y, alpha, step): one proximal gradient step from a random w, with a
    random step size (use the given step, not 1/L)."""
    X, y, alpha_max = make_problem(n=50, d=20)
    for _ in range(3):
        w = rng.normal(size=20)
        alpha = float(rng.uniform(0.05, 0.5)) * alpha_max
        step = float(rng.uniform(0.1, 1.0)) / ref.lipschitz(X)
        assert_close(student.ista_step(w, X, y, alpha, step), ref.step(w, X, y, alpha, step),
                     rtol=1e-9, atol=1e-12)


@pytest.mark.points(1)
def test_ista_first_iterates(student, make_problem, ref):
    """ista after 4 steps: starts at w = 0, uses step 1/L with L = ||X||_2^2 / n, and
    history[k] is the objective after step k + 1."""
    X, y, alpha_max = make_problem(n=60, d=25)
    w, history = student.ista(X, y, 0.2 * alpha_max, n_iter=4)
    w_ref, hist_ref = ref.ista(X, y, 0.2 * alpha_max, 4)
    assert_close(w, w_ref, rtol=1e-9, atol=1e-12, name="w")
    assert_close(history, hist_ref, rtol=1e-9, name="history")


@pytest.mark.points(1)
def test_ista_converges_to_lasso(student, make_problem, ref):
    """ista with many iterations reaches the lasso solution (compared with scikit-learn's
    Lasso without intercept)."""
    X, y, alpha_max = make_problem(n=80, d=30)
    alpha = 0.1 * alpha_max
    w, _ = student.ista(X, y, alpha, n_iter=3000)
    assert_close(w, ref.sklearn_lasso(X, y, alpha), rtol=1e-5, atol=1e-7)


@pytest.mark.points(1)
def test_ista_history_monotone_and_trajectory(student, make_problem, ref):
    """ISTA with step 1/L never increases the objective, and repeated ista_step calls
    follow the reference trajectory."""
    X, y, alpha_max = make_problem(n=50, d=40)
    alpha = 0.05 * alpha_max
    _, history = student.ista(X, y, alpha, n_iter=200)
    history = as_float_array(history, "history")
    assert history.shape == (200,)
    assert np.all(np.diff(history) <= 1e-12 * max(1.0, abs(history[0])))
    step = 1.0 / ref.lipschitz(X)
    iterates = student.drive("ista_trajectory", X, y, alpha, step, 5)
    expected, w = [], np.zeros(40)
    for _ in range(5):
        w = ref.step(w, X, y, alpha, step)
        expected.append(w)
    assert_close(iterates, np.array(expected), rtol=1e-9, atol=1e-12, name="iterates")
