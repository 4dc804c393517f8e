"""Shared fixtures of the hidden tests: random problems and reference answers.

References are written independently of the solution notebook (scikit-learn's
MultiTaskLasso, which minimises the same objective by coordinate descent, and
closed forms) and run in the grader's process, never in the worker.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import MultiTaskLasso


@pytest.fixture
def make_problem(rng):
    """``make_problem(n, d, m, k)`` -> (X, Y, lam_max): Gaussian design, k non-zero true rows."""

    def make(n=80, d=15, m=3, k=4, noise=0.3):
        X = rng.standard_normal((n, d))
        W = np.zeros((d, m))
        W[rng.choice(d, size=k, replace=False)] = rng.normal(scale=1.5, size=(k, m))
        Y = X @ W + noise * rng.standard_normal((n, m))
        return X, Y, _lam_max(X, Y)

    return make


def _lam_max(X, Y):
    return float(np.sqrt(np.max(np.sum((X.T @ Y) ** 2, axis=1))) / X.shape[0])


def _group_prox(V, k):
    # (1 - k/||v||)_+ v written as v - (projection of v onto the ball of radius k)
    norms = np.sqrt(np.sum(V**2, axis=1, keepdims=True))
    projection = V * np.minimum(1.0, k / np.maximum(norms, np.finfo(float).tiny))
    out = V - projection
    out[norms[:, 0] <= k] = 0.0
    return out


def _objective(W, X, Y, lam):
    return float(np.sum((Y - X @ W) ** 2) / (2 * X.shape[0])
                 + lam * np.sum(np.sqrt(np.sum(W**2, axis=1))))


def _step(W, X, Y, lam, step):
    return _group_prox(W + step * X.T @ (Y - X @ W) / X.shape[0], step * lam)


def _lipschitz(X):
    return float(np.linalg.svd(X, compute_uv=False)[0] ** 2 / X.shape[0])


def _prox_grad(X, Y, lam, n_iter):
    W, step, hist = np.zeros((X.shape[1], Y.shape[1])), 1.0 / _lipschitz(X), []
    for _ in range(n_iter):
        W = _step(W, X, Y, lam, step)
        hist.append(_objective(W, X, Y, lam))
    return W, np.array(hist)


def _sklearn(X, Y, lam):
    model = MultiTaskLasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=200_000)
    return model.fit(X, Y).coef_.T


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(group_prox=_group_prox, objective=_objective, step=_step,
                           lipschitz=_lipschitz, prox_grad=_prox_grad, sklearn=_sklearn,
                           lam_max=_lam_max)
