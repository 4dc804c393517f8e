"""Shared fixtures of the hidden tests: reference optimizers and random settings.

References run in the grader's process, never in the worker: PyTorch's own
``torch.optim.Adam`` (coupled L2) and ``torch.optim.AdamW`` (decoupled decay),
in double precision.
"""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


def _torch_adam(w0, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                decoupled=False):
    """Run torch.optim.Adam (or AdamW if decoupled) on the given gradients.

    Returns a namespace: iterates (T, d), final m, v, t, and the bias-corrected v_hat."""
    p = torch.nn.Parameter(torch.tensor(np.asarray(w0, dtype=float), dtype=torch.float64))
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([p], lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
    iterates = []
    for g in grads:
        p.grad = torch.tensor(np.asarray(g, dtype=float), dtype=torch.float64)
        opt.step()
        iterates.append(p.detach().numpy().copy())
    state = opt.state[p]
    t = int(state["step"])
    v = state["exp_avg_sq"].numpy().copy()
    return SimpleNamespace(iterates=np.array(iterates), m=state["exp_avg"].numpy().copy(), v=v,
                           t=t, v_hat=v / (1 - betas[1] ** t))


@pytest.fixture
def settings(rng):
    """Random hyperparameters: lr, betas, eps, weight_decay (plain floats and a list)."""

    def make():
        return dict(lr=float(rng.uniform(1e-3, 5e-2)),
                    betas=[float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.9999))],
                    eps=float(10 ** rng.uniform(-8, -4)),
                    weight_decay=float(rng.uniform(0.05, 1.0)))

    return make


@pytest.fixture(scope="session")
def ref():
    """Reference implementations, computed in the grader."""
    return SimpleNamespace(torch_adam=_torch_adam)
