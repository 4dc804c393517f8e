"""q1: the penalised solution and its squared norm."""

import numpy as np
import pytest

from labgrader.checks import assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q1")


@pytest.mark.points(1)
def test_ridge_svd_random(student, make_problem, rng, ref):
    """ridge_svd(X, y, lam) solves (X^T X + lam I) w = X^T y, for random lam including 0."""
    X, y, _ = make_problem(n=40, d=8)
    for lam in (0.0, float(10 ** rng.uniform(-2, 0)), float(10 ** rng.uniform(0, 3))):
        assert_close(student.ridge_svd(X, y, lam), ref.ridge(X, y, lam), rtol=1e-8, atol=1e-10)


@pytest.mark.points(2)
def test_ridge_norm_sq_random(student, make_problem, rng, ref):
    """ridge_norm_sq(X, y, lam) equals ||w_lam||^2 at random lam, including lam = 0
    (||w_OLS||^2), on two random designs."""
    for n, d in ((50, 10), (20, 15)):
        X, y, norm_ols_sq = make_problem(n=n, d=d)
        assert_scalar_close(student.ridge_norm_sq(X, y, 0.0), norm_ols_sq, rtol=1e-8)
        for lam in 10.0 ** rng.uniform(-2, 3, size=3):
            assert_scalar_close(student.ridge_norm_sq(X, y, float(lam)),
                                ref.norm_sq(X, y, float(lam)), rtol=1e-8)


@pytest.mark.points(1)
def test_ridge_norm_sq_strictly_decreasing(student, make_problem, rng):
    """||w_lam||^2 is strictly decreasing in lam and goes to 0 like ||X^T y||^2 / lam^2."""
    X, y, _ = make_problem(n=30, d=6)
    lams = np.sort(10.0 ** rng.uniform(-3, 3, size=15))
    values = np.array([float(student.ridge_norm_sq(X, y, float(lam))) for lam in lams])
    assert np.all(np.diff(values) < 0), values
    big = 1e8
    assert_scalar_close(student.ridge_norm_sq(X, y, big) * big**2,
                        float(np.sum((X.T @ y) ** 2)), rtol=1e-5, name="large-lam limit")
