"""q1: one SGD step, coupled or decoupled, threaded through a trajectory."""

import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q1")


def _random_setup(rng, d=7, n_steps=12):
    w0 = rng.normal(size=d)
    grads = rng.normal(scale=rng.uniform(0.5, 2.0), size=(n_steps, d))
    lr, mu, lam = (float(rng.uniform(0.01, 0.2)), float(rng.uniform(0.5, 0.95)),
                   float(rng.uniform(0.05, 1.0)))
    return w0, grads, lr, mu, lam


@pytest.mark.points(2)
def test_coupled_momentum_matches_torch(student, rng, ref):
    """Coupled SGD with momentum, fed random gradients step after step (driver
    sgd_trajectory): the iterates and the momentum buffers equal torch.optim.SGD's."""
    w0, grads, lr, mu, lam = _random_setup(rng)
    iterates, buffers = student.drive("sgd_trajectory", w0, grads, lr, mu, lam, False)
    it_ref, buf_ref = ref.torch_sgd(w0, lambda k, w: grads[k], len(grads), lr, mu, lam, False)
    assert_close(iterates, it_ref, rtol=1e-10, atol=1e-12, name="iterates")
    assert_close(buffers, buf_ref, rtol=1e-10, atol=1e-12, name="buffers")


@pytest.mark.points(1)
def test_decoupled_momentum_matches_reference(student, rng, ref):
    """Decoupled SGD with momentum (driver sgd_trajectory): w is first multiplied by
    1 - lr * weight_decay, and the buffer sees only the data gradient."""
    w0, grads, lr, mu, lam = _random_setup(rng)
    iterates, buffers = student.drive("sgd_trajectory", w0, grads, lr, mu, lam, True)
    it_ref, buf_ref = ref.torch_sgd(w0, lambda k, w: grads[k], len(grads), lr, mu, lam, True)
    assert_close(iterates, it_ref, rtol=1e-10, atol=1e-12, name="iterates")
    assert_close(buffers, buf_ref, rtol=1e-10, atol=1e-12, name="buffers")


@pytest.mark.points(1)
def test_step_edge_cases(student, rng, ref):
    """Edge cases: without momentum coupled and decoupled give torch's plain SGD steps;
    a step from an existing buffer uses mu * buf + gradient; lr = 0 leaves w unchanged."""
    w0, grads, lr, _, lam = _random_setup(rng, d=5, n_steps=6)
    it_ref, _ = ref.torch_sgd(w0, lambda k, w: grads[k], len(grads), lr, 0.0, lam, False)
    for decoupled in (False, True):
        iterates, _ = student.drive("sgd_trajectory", w0, grads, lr, 0.0, lam, decoupled)
        assert_close(iterates, it_ref, rtol=1e-10, atol=1e-12, name=f"decoupled={decoupled}")
    w, g, buf = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    mu = float(rng.uniform(0.3, 0.9))
    w_new, buf_new = student.sgd_step(w, g, buf, lr, momentum=mu, weight_decay=lam)
    assert_close(buf_new, mu * buf + g + lam * w, rtol=1e-12, atol=1e-14, name="buf_new")
    assert_close(w_new, w - lr * (mu * buf + g + lam * w), rtol=1e-12, atol=1e-14, name="w_new")
    w_new, _ = student.sgd_step(w, g, buf, 0.0, momentum=mu, weight_decay=lam, decoupled=True)
    assert_close(w_new, w, rtol=0, atol=0, name="lr = 0")
