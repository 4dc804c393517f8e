"""Shared fixtures of the hidden tests: random problems and reference answers.

References are written independently of the solution notebook (scikit-learn,
closed forms, scipy) and run in the grader's process, never in the worker.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, Lasso


@pytest.fixture
def make_problem(rng):
    """``make_problem(n, d, k)`` -> (X, y, alpha_max): Gaussian design, k true nonzeros."""

    def make(n=80, d=30, k=5, noise=0.1):
        X = rng.standard_normal((n, d))
        w = np.zeros(d)
        w[rng.choice(d, size=k, replace=False)] = rng.normal(scale=2.0, size=k)
        y = X @ w + noise * rng.standard_normal(n)
        return X, y, float(np.max(np.abs(X.T @ y)) / n)

    return make


def _soft_threshold(v, t):
    # Moreau decomposition: prox of t|.| is v minus the projection onto [-t, t].
    return v - np.clip(v, -t, t)


def _objective(w, X, y, alpha):
    return float(np.sum((y - X @ w) ** 2) / (2 * len(y)) + alpha * np.sum(np.abs(w)))


def _step(w, X, y, alpha, step):
    return _soft_threshold(w + step * X.T @ (y - X @ w) / len(y), step * alpha)


def _lipschitz(X):
    return float(np.linalg.svd(X, compute_uv=False)[0] ** 2 / X.shape[0])


def _ista(X, y, alpha, n_iter):
    w, step, hist = np.zeros(X.shape[1]), 1.0 / _lipschitz(X), []
    for _ in range(n_iter):
        w = _step(w, X, y, alpha, step)
        hist.append(_objective(w, X, y, alpha))
    return w, np.array(hist)


def _fista(X, y, alpha, n_iter):
    step = 1.0 / _lipschitz(X)
    w_old = np.zeros(X.shape[1])
    z, t, hist = w_old, 1.0, []
    for _ in range(n_iter):
        w = _step(z, X, y, alpha, step)
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t**2))
        z = w + (t - 1.0) / t_new * (w - w_old)
        w_old, t = w, t_new
        hist.append(_objective(w, X, y, alpha))
    return w_old, np.array(hist)


def _sklearn_lasso(X, y, alpha):
    model = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=200_000)
    return model.fit(X, y).coef_


def _sklearn_enet(X, y, alpha, l1_ratio):
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14,
                       max_iter=200_000)
    return model.fit(X, y).coef_


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(soft_threshold=_soft_threshold, objective=_objective, step=_step,
                           lipschitz=_lipschitz, ista=_ista, fista=_fista,
                           sklearn_lasso=_sklearn_lasso, sklearn_enet=_sklearn_enet)
