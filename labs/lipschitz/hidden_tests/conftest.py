"""Shared fixtures of the hidden tests: matrices with known spectra and reference answers.

References are written independently of the solution notebook (numpy's SVD, PyTorch's
automatic Jacobian, closed forms) and run in the grader's process, never in the worker.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import torch


@pytest.fixture
def make_weights(rng):
    """``make_weights(m, n, gap)`` -> (W, s, U, V): W = U diag(s) V^T with s_2 / s_1 <= gap."""

    def make(m, n, gap=0.85, scale=None):
        r = min(m, n)
        U, _ = np.linalg.qr(rng.standard_normal((m, r)))
        V, _ = np.linalg.qr(rng.standard_normal((n, r)))
        s1 = float(rng.uniform(0.5, 3.0)) if scale is None else scale
        rest = np.sort(rng.uniform(0.05, gap, size=r - 1))[::-1] * s1
        s = np.concatenate([[s1], rest])
        return U @ np.diag(s) @ V.T, s, U, V

    return make


def _power_iteration(W, n_iter, v0):
    v = v0 / np.sqrt(np.sum(v0**2))
    for _ in range(n_iter):
        Wv = W @ v
        u = Wv / np.sqrt(np.sum(Wv**2))
        z = W.T @ u
        sigma = float(np.sqrt(np.sum(z**2)))
        v = z / sigma
    return sigma, u, v


def _sigma_max(W):
    return float(np.linalg.svd(W, compute_uv=False)[0])


def _jacobian(weights, x):
    """The Jacobian of x -> W_L relu(... relu(W_1 x)) by PyTorch's reverse-mode autodiff."""
    ws = [torch.tensor(W, dtype=torch.float64) for W in weights]

    def f(v):
        for W in ws[:-1]:
            v = torch.relu(W @ v)
        return ws[-1] @ v

    return torch.func.jacrev(f)(torch.tensor(x, dtype=torch.float64)).numpy()


def _random_net(rng, dims):
    return [rng.standard_normal((dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i])
            for i in range(len(dims) - 1)]


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(power_iteration=_power_iteration, sigma_max=_sigma_max,
                           jacobian=_jacobian, random_net=_random_net)
