"""q6: the lasso duality gap."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q6")


def _primal_minus_dual(w, X, y, alpha):
    """P(w) - D(theta) with the dual written in theta = nu / n form (an independent route)."""
    n = len(y)
    r = y - X @ w
    theta = r / max(n, np.linalg.norm(X.T @ r, np.inf) / alpha)  # feasible: |X^T theta| <= alpha
    primal = np.linalg.norm(r) ** 2 / (2 * n) + alpha * np.linalg.norm(w, 1)
    dual = np.linalg.norm(y) ** 2 / (2 * n) - n / 2 * np.linalg.norm(theta - y / n) ** 2
    return primal - dual


@pytest.mark.points(2)
def test_gap_random_points(student, make_problem, rng):
    """lasso_duality_gap(w, X, y, alpha) at random w equals primal minus dual objective,
    with the dual point nu = r min(1, n alpha / ||X^T r||_inf)."""
    X, y, alpha_max = make_problem(n=50, d=20)
    for scale in (0.01, 1.0):
        w = scale * rng.normal(size=20)
        alpha = float(rng.uniform(0.05, 0.9)) * alpha_max
        expected = _primal_minus_dual(w, X, y, alpha)
        assert expected >= 0
        assert_scalar_close(student.lasso_duality_gap(w, X, y, alpha), expected, rtol=1e-8)


@pytest.mark.points(1)
def test_gap_zero_at_solution(student, make_problem, ref):
    """The gap is (numerically) zero at the lasso solution and positive at w = 0."""
    X, y, alpha_max = make_problem(n=60, d=25)
    alpha = 0.2 * alpha_max
    w_star = ref.sklearn_lasso(X, y, alpha)
    gap_star = student.lasso_duality_gap(w_star, X, y, alpha)
    assert_scalar_close(gap_star, 0.0, atol=1e-9)
    gap_zero = float(student.lasso_duality_gap(np.zeros(25), X, y, alpha))
    assert_scalar_close(gap_zero, _primal_minus_dual(np.zeros(25), X, y, alpha), rtol=1e-8)
    assert gap_zero > 0
