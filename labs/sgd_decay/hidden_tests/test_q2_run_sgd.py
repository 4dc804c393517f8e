"""q2: least-squares gradient, ridge, full-batch SGD."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(1)
def test_least_squares_grad_finite_differences(student, make_problem, rng):
    """least_squares_grad(w, X, y) is the gradient of ||y - Xw||^2 / (2n) (checked by
    central finite differences at random points)."""
    X, y = make_problem(n=30, d=4)

    def f(w):
        return np.sum((y - X @ w) ** 2) / (2 * len(y))

    for _ in range(3):
        w, h = rng.normal(size=4), 1e-6
        numeric = np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(4)])
        assert_close(student.least_squares_grad(w, X, y), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.points(1)
def test_ridge_matches_sklearn(student, make_problem, rng):
    """ridge(X, y, lam) minimises ||y - Xw||^2 / (2n) + lam / 2 ||w||^2 (compared with
    scikit-learn's Ridge without intercept, whose alpha is n * lam)."""
    X, y = make_problem(n=40, d=5)
    for lam in (float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.5, 3.0))):
        expected = Ridge(alpha=len(y) * lam, fit_intercept=False, solver="cholesky").fit(X, y)
        assert_close(student.ridge(X, y, lam), expected.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.points(1)
def test_run_sgd_coupled_matches_torch(student, make_problem, rng, ref):
    """run_sgd with coupled decay and momentum: w0 first, then torch.optim.SGD's iterates
    on the full least-squares gradient."""
    X, y = make_problem(n=40, d=3)
    w0 = rng.normal(size=3)
    lr, mu, lam = float(rng.uniform(0.02, 0.1)), float(rng.uniform(0.5, 0.9)), 0.3
    path = student.run_sgd(X, y, w0, lr, mu, lam, False, 25)
    it_ref, _ = ref.torch_sgd(w0, lambda k, w: ref.ls_grad(w, X, y), 25, lr, mu, lam, False)
    assert_close(path, np.vstack([w0, it_ref]), rtol=1e-9, atol=1e-12)


@pytest.mark.points(1)
def test_run_sgd_decoupled_matches_reference(student, make_problem, rng, ref):
    """run_sgd with decoupled decay and momentum follows the reference SGDW iterates."""
    X, y = make_problem(n=40, d=3)
    w0 = rng.normal(size=3)
    lr, mu, lam = float(rng.uniform(0.02, 0.1)), float(rng.uniform(0.5, 0.9)), 0.4
    path = student.run_sgd(X, y, w0, lr, mu, lam, True, 25)
    it_ref, _ = ref.torch_sgd(w0, lambda k, w: ref.ls_grad(w, X, y), 25, lr, mu, lam, True)
    assert_close(path, np.vstack([w0, it_ref]), rtol=1e-9, atol=1e-12)
