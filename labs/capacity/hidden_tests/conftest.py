"""Shared fixtures of the hidden tests: random problems and reference answers.

References are written independently of the solution notebook (normal equations,
the dual form, least squares, scikit-learn) and run in the grader's process,
never in the worker.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import Ridge


@pytest.fixture
def make_problem(rng):
    """``make_problem(n, d)`` -> (X, y): Gaussian design, y = X w + noise."""

    def make(n=40, d=10, noise=0.5):
        X = rng.standard_normal((n, d))
        y = X @ rng.normal(size=d) + noise * rng.standard_normal(n)
        return X, y

    return make


def _ridge_primal(X, y, lam):
    """(X^T X + lam I)^{-1} X^T y: the normal equations."""
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)


def _ridge_dual(X, y, lam):
    """X^T (X X^T + lam I)^{-1} y: the same solution, well conditioned when d > n."""
    return X.T @ np.linalg.solve(X @ X.T + lam * np.eye(X.shape[0]), y)


def _min_norm_lstsq(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


def _sklearn_ridge(X, y, lam):
    return Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(X, y).coef_


def _mse(y, y_pred):
    return float(np.mean((y - y_pred) ** 2))


def _regimes(train, val, tol):
    b = int(np.argmin(val))
    return ["good" if v <= (1 + tol) * val[b] else "overfit" if t < train[b] else "underfit"
            for t, v in zip(train, val, strict=True)]


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(ridge_primal=_ridge_primal, ridge_dual=_ridge_dual,
                           min_norm_lstsq=_min_norm_lstsq, sklearn_ridge=_sklearn_ridge,
                           mse=_mse, regimes=_regimes)
