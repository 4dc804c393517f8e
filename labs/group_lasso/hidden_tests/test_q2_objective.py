"""q2: the group lasso objective and lambda_max."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(2)
def test_objective_random(student, make_problem, rng, ref):
    """group_lasso_objective(W, X, Y, lam) = ||Y - XW||_F^2 / (2n) + lam sum_i ||W_i||_2 at
    random W (some rows zero)."""
    X, Y, lam_max = make_problem(n=40, d=12, m=3)
    for _ in range(3):
        W = rng.normal(size=(12, 3))
        W[rng.choice(12, size=4, replace=False)] = 0.0
        lam = float(rng.uniform(0.01, 1.0)) * lam_max
        assert_scalar_close(student.group_lasso_objective(W, X, Y, lam),
                            ref.objective(W, X, Y, lam), rtol=1e-10)


@pytest.mark.points(1)
def test_lam_max_formula(student, make_problem, ref):
    """group_lasso_lam_max(X, Y) = max_i ||(X^T Y)_i||_2 / n, on problems of several shapes."""
    for n, d, m in ((30, 8, 2), (50, 20, 5), (25, 6, 1)):
        X, Y, _ = make_problem(n=n, d=d, m=m, k=2)
        assert_scalar_close(student.group_lasso_lam_max(X, Y), ref.lam_max(X, Y), rtol=1e-10)


@pytest.mark.points(1)
def test_lam_max_is_the_threshold(student, make_problem, ref):
    """At lam slightly above your lam_max the solution (scikit-learn's MultiTaskLasso) is
    exactly zero, and slightly below it it is not."""
    X, Y, _ = make_problem(n=60, d=10, m=3)
    lam_max = float(student.group_lasso_lam_max(X, Y))
    assert np.all(ref.sklearn(X, Y, 1.001 * lam_max) == 0)
    assert np.any(ref.sklearn(X, Y, 0.98 * lam_max) != 0)
