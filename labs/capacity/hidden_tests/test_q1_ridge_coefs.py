"""q1: ridge for a grid of lambdas from one SVD."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q1")


@pytest.mark.points(2)
def test_ridge_coefs_tall_design(student, make_problem, rng, ref):
    """ridge_coefs(X, y, lams) on a random design with n > d: one row per lam, in the given
    (unsorted) order, each the solution of (X^T X + lam I) w = X^T y."""
    X, y = make_problem(n=40, d=10)
    lams = rng.permutation(10.0 ** rng.uniform(-3, 3, size=6))
    expected = np.array([ref.ridge_primal(X, y, lam) for lam in lams])
    assert_close(student.ridge_coefs(X, y, lams), expected, rtol=1e-8, atol=1e-10)
    lam = float(lams[0])
    assert_close(student.ridge_coefs(X, y, [lam])[0], ref.sklearn_ridge(X, y, lam),
                 rtol=1e-7, atol=1e-9, name="sklearn Ridge")


@pytest.mark.points(1)
def test_ridge_coefs_wide_design_and_lam_zero(student, make_problem, rng, ref):
    """More features than samples (d > n) with lam > 0, and lam = 0 on tall and wide designs:
    lam = 0 must give the minimum-norm least-squares solution."""
    X, y = make_problem(n=15, d=40)
    lams = np.array([0.0, float(rng.uniform(0.01, 0.1)), float(rng.uniform(1.0, 50.0))])
    expected = np.array([ref.min_norm_lstsq(X, y)] + [ref.ridge_dual(X, y, lam)
                                                      for lam in lams[1:]])
    assert_close(student.ridge_coefs(X, y, lams), expected, rtol=1e-7, atol=1e-9, name="wide")
    X, y = make_problem(n=30, d=8)
    assert_close(student.ridge_coefs(X, y, [0.0]), ref.min_norm_lstsq(X, y)[None, :],
                 rtol=1e-8, atol=1e-10, name="tall, lam = 0")


@pytest.mark.points(1)
def test_ridge_coefs_rank_deficient_and_monotone_norm(student, make_problem, rng, ref):
    """A design with a duplicated column: lam = 0 still gives the (finite) minimum-norm
    solution (drop round-off singular values), and ||w_lam|| never grows as lam grows."""
    X, y = make_problem(n=25, d=6)
    X = np.column_stack([X, X[:, 2]])
    W = as_float_array(student.ridge_coefs(X, y, [0.0]))
    assert_close(W, ref.min_norm_lstsq(X, y)[None, :], rtol=1e-6, atol=1e-8, name="lam = 0")
    lams = np.sort(np.r_[1e-4, 10.0 ** rng.uniform(-4, 5, size=10), 1e5])
    norms = np.linalg.norm(as_float_array(student.ridge_coefs(X, y, lams)), axis=1)
    assert norms.shape == (12,)
    assert np.all(np.diff(norms) <= 1e-10 * norms[:-1])
    assert norms[-1] < 0.01 * norms[0]
