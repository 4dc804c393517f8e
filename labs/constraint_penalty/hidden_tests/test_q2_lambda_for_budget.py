"""q2: the lambda* that matches a budget C."""

import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(2)
def test_lambda_for_budget_binding(student, make_problem, rng, ref):
    """lambda_for_budget(X, y, C) for binding budgets C < ||w_OLS||^2 (from tight to almost
    slack): the root of ||w_lam||^2 = C to full precision."""
    X, y, norm_ols_sq = make_problem()
    for frac in (float(rng.uniform(0.001, 0.01)), float(rng.uniform(0.1, 0.9)), 0.999):
        C = frac * norm_ols_sq
        lam = student.lambda_for_budget(X, y, C)
        assert_scalar_close(lam, ref.lam_star(X, y, C), rtol=1e-8, atol=1e-12)
        assert_scalar_close(ref.norm_sq(X, y, float(lam)), C, rtol=1e-10, name="||w||^2 - C")


@pytest.mark.points(1)
def test_lambda_for_budget_slack(student, make_problem, rng):
    """A budget that does not bind (C >= ||w_OLS||^2) has multiplier exactly 0."""
    X, y, norm_ols_sq = make_problem(n=40, d=7)
    for frac in (1.0 + 1e-6, float(rng.uniform(1.5, 10.0))):
        lam = student.lambda_for_budget(X, y, frac * norm_ols_sq)
        assert_scalar_close(lam, 0.0, atol=0, name=f"C = {frac} ||w_OLS||^2")


@pytest.mark.points(1)
def test_lambda_for_budget_is_the_kkt_multiplier(student, make_problem, rng, ref):
    """lambda* equals the multiplier of the constraint ||w||^2 <= C that a general-purpose
    convex solver reports (KKT: the penalty and the budget have the same solution)."""
    X, y, norm_ols_sq = make_problem(n=40, d=6)
    C = float(rng.uniform(0.2, 0.6)) * norm_ols_sq
    _, _, mu = ref.cvxpy_budget(X, y, C)
    assert_scalar_close(student.lambda_for_budget(X, y, C), mu, rtol=1e-3)
