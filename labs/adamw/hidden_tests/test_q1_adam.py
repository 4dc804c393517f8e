"""q1: the Adam class, coupled L2 and decoupled decay, against torch.optim."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q1")


def _grads(rng, d=6, T=15):
    # per-coordinate scales over three orders of magnitude, plus a drift
    scales = 10 ** rng.uniform(-2, 1, size=d)
    return scales * (rng.normal(size=(T, d)) + rng.normal(size=d))


def _compare(out, expected, name):
    assert_close(out["iterates"], expected.iterates, rtol=1e-9, atol=1e-12,
                 name=f"{name}: iterates")
    assert_close(out["m"], expected.m, rtol=1e-9, atol=1e-14, name=f"{name}: m")
    assert_close(out["v"], expected.v, rtol=1e-9, atol=1e-16, name=f"{name}: v")
    assert out["t"] == expected.t, f"{name}: t = {out['t']}, expected {expected.t}"


@pytest.mark.points(1)
def test_no_decay_matches_torch_adam(student, rng, settings, ref):
    """Adam without decay (random lr, betas, eps; driver adam_trajectory): iterates and the
    final state m, v, t equal torch.optim.Adam's."""
    opts = settings()
    opts["weight_decay"] = 0.0
    w0, grads = rng.normal(size=6), _grads(rng)
    out = student.drive("adam_trajectory", w0, grads, **opts)
    _compare(out, ref.torch_adam(w0, grads, **opts), "no decay")


@pytest.mark.points(2)
def test_coupled_l2_matches_torch_adam(student, rng, settings, ref):
    """Adam + L2 (decoupled=False, random hyperparameters): lam * w is added to the gradient
    before both moments; iterates and final state equal torch.optim.Adam(weight_decay=lam)'s."""
    for _ in range(2):
        opts = settings()
        w0, grads = rng.normal(scale=2.0, size=6), _grads(rng)
        out = student.drive("adam_trajectory", w0, grads, decoupled=False, **opts)
        _compare(out, ref.torch_adam(w0, grads, decoupled=False, **opts), "Adam + L2")


@pytest.mark.points(1)
def test_decoupled_matches_torch_adamw(student, rng, settings, ref):
    """AdamW (decoupled=True, random hyperparameters): w is first multiplied by
    1 - lr * lam and the moments see only the data gradient; compared with torch.optim.AdamW."""
    opts = settings()
    w0, grads = rng.normal(scale=2.0, size=6), _grads(rng)
    out = student.drive("adam_trajectory", w0, grads, decoupled=True, **opts)
    _compare(out, ref.torch_adam(w0, grads, decoupled=True, **opts), "AdamW")


@pytest.mark.points(1)
def test_defaults_and_zero_gradient(student, rng, ref):
    """Adam() with its default arguments equals torch.optim.Adam's defaults; with zero
    gradients AdamW shrinks w by exactly (1 - lr lam) per step and Adam + L2 follows torch."""
    w0, grads = rng.normal(size=4), rng.normal(size=(8, 4))
    out = student.drive("adam_trajectory", w0, grads)
    _compare(out, ref.torch_adam(w0, grads), "defaults")
    lr, lam = float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.1, 1.0))
    zeros = np.zeros((6, 4))
    out = student.drive("adam_trajectory", w0, zeros, lr=lr, weight_decay=lam, decoupled=True)
    expected = w0 * (1 - lr * lam) ** np.arange(1, 7)[:, None]
    assert_close(out["iterates"], expected, rtol=1e-12, atol=1e-15, name="AdamW, zero gradient")
    out = student.drive("adam_trajectory", w0, zeros, lr=lr, weight_decay=lam)
    assert_close(out["iterates"], ref.torch_adam(w0, zeros, lr=lr, weight_decay=lam).iterates,
                 rtol=1e-9, atol=1e-12, name="Adam + L2, zero gradient")
