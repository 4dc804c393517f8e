"""Shared fixtures of the hidden tests: random problems and reference answers.

References are written independently of the solution notebook (normal equations, scipy's
brentq on them, a general-purpose convex solver: cvxpy with Clarabel) and run in the
grader's process, never in the worker.
"""

from types import SimpleNamespace

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import brentq


@pytest.fixture
def make_problem(rng):
    """``make_problem(n, d)`` -> (X, y, norm_ols_sq): Gaussian design, y = X w + noise."""

    def make(n=50, d=10, noise=1.0):
        X = rng.standard_normal((n, d))
        y = X @ rng.normal(size=d) + noise * rng.standard_normal(n)
        w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
        return X, y, float(w_ols @ w_ols)

    return make


@pytest.fixture
def make_svm(rng):
    """``make_svm(n, d)`` -> (X, y): separable points, shifted away from the origin."""

    def make(n=30, d=2, margin=0.3):
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
        Z = rng.standard_normal((n, d))
        y = np.where(Z @ u >= 0, 1.0, -1.0)
        y[:2] = [1.0, -1.0]           # both classes present
        Z[:2] -= np.outer((Z[:2] @ u) - y[:2] * np.abs(Z[:2] @ u), u)
        X = Z + margin * y[:, None] * u + rng.normal(scale=2.0, size=d)
        return X, y

    return make


def _ridge(X, y, lam):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def _norm_sq(X, y, lam):
    w = _ridge(X, y, lam)
    return float(w @ w)


def _lam_star(X, y, C):
    if _norm_sq(X, y, 0.0) <= C:
        return 0.0
    hi = 1.0
    while _norm_sq(X, y, hi) > C:
        hi *= 2.0
    return brentq(lambda lam: _norm_sq(X, y, lam) - C, 0.0, hi, xtol=1e-14, rtol=1e-15)


def _loss_star(X, y, C):
    r = y - X @ _ridge(X, y, _lam_star(X, y, C))
    return float(r @ r)


def _cvxpy_budget(X, y, C):
    """(w*, L*, mu*) of min ||y - Xw||^2 s.t. ||w||^2 <= C from a convex solver."""
    w = cp.Variable(X.shape[1])
    budget = [cp.sum_squares(w) <= C]
    problem = cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w)), budget)
    problem.solve(solver=cp.CLARABEL)
    return w.value, float(problem.value), float(np.ravel(budget[0].dual_value)[0])


def _cvxpy_svm(X, y):
    """(w, b, alpha) of the hard-margin SVM from its primal QP."""
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    margins = [cp.multiply(y, X @ w + b) >= 1]
    cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), margins).solve(solver=cp.CLARABEL)
    return w.value, float(b.value), np.asarray(margins[0].dual_value, dtype=float)


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(ridge=_ridge, norm_sq=_norm_sq, lam_star=_lam_star,
                           loss_star=_loss_star, cvxpy_budget=_cvxpy_budget,
                           cvxpy_svm=_cvxpy_svm)
