"""q3: FISTA."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(2)
def test_fista_first_iterates(student, make_problem, ref):
    """fista after 6 steps follows Beck and Teboulle's sequence exactly: w_0 = z_1 = 0,
    t_1 = 1, step 1/L, and history[k] is the objective at w_{k+1}."""
    X, y, alpha_max = make_problem(n=60, d=25)
    w, history = student.fista(X, y, 0.15 * alpha_max, n_iter=6)
    w_ref, hist_ref = ref.fista(X, y, 0.15 * alpha_max, 6)
    assert_close(w, w_ref, rtol=1e-9, atol=1e-12, name="w")
    assert_close(history, hist_ref, rtol=1e-9, name="history")


@pytest.mark.points(1)
def test_fista_converges_to_lasso(student, make_problem, ref):
    """fista reaches the lasso solution (compared with scikit-learn's Lasso) with exact
    zeros where the solution is zero."""
    X, y, alpha_max = make_problem(n=100, d=60, k=6)
    alpha = 0.1 * alpha_max
    w, _ = student.fista(X, y, alpha, n_iter=1500)
    expected = ref.sklearn_lasso(X, y, alpha)
    assert_close(w, expected, rtol=1e-5, atol=1e-7)
    w = as_float_array(w)
    assert np.all(w[np.abs(expected) == 0] == 0)


@pytest.mark.points(1)
def test_fista_large_alpha(student, make_problem):
    """For alpha >= alpha_max = ||X^T y||_inf / n the solution is exactly zero."""
    X, y, alpha_max = make_problem(n=30, d=10)
    w, history = student.fista(X, y, 1.5 * alpha_max, n_iter=25)
    w = as_float_array(w)
    assert w.shape == (10,) and np.all(w == 0)
    assert_close(history, np.full(25, y @ y / (2 * len(y))), rtol=1e-12, name="history")
