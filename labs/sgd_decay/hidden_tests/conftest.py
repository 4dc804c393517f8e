"""Shared fixtures of the hidden tests: random problems and reference optimizers.

References are written independently of the solution notebook and run in the
grader's process, never in the worker: coupled SGD is PyTorch's own
``torch.optim.SGD``; decoupled SGD (SGDW) is ``torch.optim.SGD`` without
weight decay, preceded at every step by ``p *= 1 - lr * weight_decay``.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def make_problem(rng):
    """``make_problem(n, d)`` -> (X, y): correlated Gaussian features, a noisy linear target."""

    def make(n=40, d=3):
        A = rng.standard_normal((d, d)) / np.sqrt(d)
        X = rng.standard_normal((n, d)) @ (np.eye(d) + 0.5 * A)
        y = X @ rng.uniform(-2.0, 2.0, size=d) + 0.3 * rng.standard_normal(n)
        return X, y

    return make


def _torch_sgd(w0, grad_fn, n_steps, lr, momentum, weight_decay, decoupled):
    """Run torch.optim.SGD for n_steps; grad_fn(k, w) gives the gradient at step k.

    Returns (iterates, buffers), each of shape (n_steps, d) (buffers only with momentum)."""
    p = torch.nn.Parameter(torch.tensor(np.asarray(w0, dtype=float), dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum,
                          weight_decay=0.0 if decoupled else weight_decay)
    iterates, buffers = [], []
    for k in range(n_steps):
        p.grad = torch.tensor(grad_fn(k, p.detach().numpy().copy()), dtype=torch.float64)
        if decoupled:
            with torch.no_grad():
                p.mul_(1.0 - lr * weight_decay)
        opt.step()
        iterates.append(p.detach().numpy().copy())
        if momentum:
            buffers.append(opt.state[p]["momentum_buffer"].numpy().copy())
    return np.array(iterates), np.array(buffers)


def _ls_grad(w, X, y):
    return X.T @ (X @ w - y) / len(y)


def _ridge(X, y, lam):
    n, d = X.shape
    return np.linalg.solve(X.T @ X / n + lam * np.eye(d), X.T @ y / n)


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(torch_sgd=_torch_sgd, ls_grad=_ls_grad, ridge=_ridge)
