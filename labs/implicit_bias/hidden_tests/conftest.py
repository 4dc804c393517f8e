"""Shared fixtures of the hidden tests: random separable problems and reference answers.

References are written independently of the solution notebook and run in the grader's
process, never in the worker: the loss from ``np.log1p``/``np.exp`` on moderate margins,
gradient descent as a plain loop, the max margin as the primal QP solved by cvxpy, the
L2 solution by scipy's BFGS on an independently written objective.
"""

from types import SimpleNamespace

import cvxpy as cp
import numpy as np
import pytest
from scipy import optimize


@pytest.fixture
def make_separable(rng):
    """``make_separable(n, d, gap)`` -> (X, y): labels +-1 from a random hyperplane through 0,
    every point at distance > gap from it, features at random scales."""

    def make(n=40, d=4, gap=0.2):
        normal = rng.standard_normal(d)
        pts = rng.standard_normal((6 * n, d)) * rng.uniform(0.5, 2.0, size=d)
        dist = pts @ normal / np.linalg.norm(normal)
        far = np.abs(dist) > gap
        return pts[far][:n], np.sign(dist[far][:n])

    return make


def _loss_grad(X, y, w):
    m = y * (X @ w)
    loss = np.mean(np.log1p(np.exp(-m)))
    s = 1.0 / (1.0 + np.exp(m))
    return loss, -(X.T @ (y * s)) / len(y)


def _gd(X, y, step, record):
    w, out = np.zeros(X.shape[1]), {}
    for t in range(max(record) + 1):
        out[t] = w.copy()
        w = w - step * _loss_grad(X, y, w)[1]
    return np.array([out[t] for t in record])


def _max_margin(X, y):
    Z = y[:, None] * X
    w = cp.Variable(X.shape[1])
    cp.Problem(cp.Minimize(cp.sum_squares(w)), [Z @ w >= 1]).solve(
        solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    w = np.asarray(w.value)
    return w / np.linalg.norm(w)


def _l2(X, y, lam):
    def f(w):
        loss, grad = _loss_grad(X, y, w)
        return loss + 0.5 * lam * np.sum(w**2), grad + lam * w

    res = optimize.minimize(f, np.zeros(X.shape[1]), jac=True, method="BFGS",
                            options={"gtol": 1e-13, "maxiter": 20000})
    return res.x


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(loss_grad=_loss_grad, gd=_gd, max_margin=_max_margin, l2=_l2)
