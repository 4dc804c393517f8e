"""q3: the optimal loss and the shadow price."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(1)
def test_optimal_loss_against_convex_solver(student, make_problem, rng, ref):
    """optimal_loss(X, y, C) is the minimum of ||y - Xw||^2 over ||w||^2 <= C (compared with
    a general-purpose convex solver), for a binding and a slack budget."""
    X, y, norm_ols_sq = make_problem(n=45, d=8)
    for frac in (float(rng.uniform(0.1, 0.8)), float(rng.uniform(1.2, 3.0))):
        C = frac * norm_ols_sq
        _, loss, _ = ref.cvxpy_budget(X, y, C)
        assert_scalar_close(student.optimal_loss(X, y, C), loss, rtol=1e-5)
        assert_scalar_close(student.optimal_loss(X, y, C), ref.loss_star(X, y, C), rtol=1e-9)


@pytest.mark.points(1)
def test_shadow_price_fd_formula(student, make_problem, rng, ref):
    """shadow_price_fd(X, y, C, h) is the central difference -(L*(C + h) - L*(C - h)) / (2h)
    with the given h, and uses h = 1e-5 C by default."""
    X, y, norm_ols_sq = make_problem(n=40, d=6)
    C = float(rng.uniform(0.2, 0.7)) * norm_ols_sq
    h = 0.05 * C
    expected = -(ref.loss_star(X, y, C + h) - ref.loss_star(X, y, C - h)) / (2 * h)
    assert_scalar_close(student.shadow_price_fd(X, y, C, h), expected, rtol=1e-8, name="h")
    e = 1e-5 * C
    expected = -(ref.loss_star(X, y, C + e) - ref.loss_star(X, y, C - e)) / (2 * e)
    assert_scalar_close(student.shadow_price_fd(X, y, C), expected, rtol=1e-5, name="default h")


@pytest.mark.points(1)
def test_shadow_price_equals_multiplier(student, make_problem, rng, ref):
    """The finite-difference slope equals lambda*(C) while the budget binds and is 0 when it
    does not: dL*/dC = -lambda*."""
    X, y, norm_ols_sq = make_problem()
    for frac in (float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.5, 0.9))):
        C = frac * norm_ols_sq
        lam = ref.lam_star(X, y, C)
        assert_scalar_close(student.shadow_price_fd(X, y, C), lam, rtol=1e-5)
    price = float(student.shadow_price_fd(X, y, float(rng.uniform(1.5, 4.0)) * norm_ols_sq))
    assert abs(price) <= 1e-6 * np.linalg.norm(y) ** 2 / norm_ols_sq, price
