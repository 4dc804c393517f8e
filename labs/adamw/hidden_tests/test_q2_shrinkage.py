"""q2: the per-weight effective shrinkage."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(1)
def test_shrinkage_adam_l2(student, rng, settings, ref):
    """effective_shrinkage of Adam + L2 after some steps: lr * lam / (sqrt(v_hat) + eps) per
    weight, with v_hat the bias-corrected second moment (compared with torch.optim.Adam's
    state)."""
    opts = settings()
    T = int(rng.integers(3, 20))
    w0 = rng.normal(size=8)
    grads = 10 ** rng.uniform(-3, 1, size=8) * rng.normal(size=(T, 8))
    S = student.drive("adam_shrinkage", w0, grads, decoupled=False, **opts)
    expected = ref.torch_adam(w0, grads, decoupled=False, **opts)
    assert_close(S, opts["lr"] * opts["weight_decay"] / (np.sqrt(expected.v_hat) + opts["eps"]),
                 rtol=1e-9, atol=0)


@pytest.mark.points(1)
def test_shrinkage_adamw(student, rng, settings):
    """effective_shrinkage of AdamW: lr * lam for every weight, whatever the gradients."""
    opts = settings()
    grads = 10 ** rng.uniform(-3, 1, size=5) * rng.normal(size=(4, 5))
    S = student.drive("adam_shrinkage", rng.normal(size=5), grads, decoupled=True, **opts)
    assert_close(S, np.full(5, opts["lr"] * opts["weight_decay"]), rtol=1e-12, atol=0)
