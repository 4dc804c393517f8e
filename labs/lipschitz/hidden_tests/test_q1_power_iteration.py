"""q1: power iteration."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q1")


def _unpack(result):
    assert isinstance(result, (list, tuple)) and len(result) == 3, "return (sigma, u, v)"
    return float(result[0]), as_float_array(result[1], "u"), as_float_array(result[2], "v")


@pytest.mark.points(2)
def test_power_iteration_exact_iterates(student, rng, ref):
    """power_iteration(W, n_iter=k, v0=v0) returns (sigma_k, u_k, v_k) after exactly k steps of
    the iteration in the notebook, from v0 normalised, on tall and wide random matrices."""
    for m, n in ((7, 5), (4, 9)):
        W = rng.standard_normal((m, n))
        v0 = rng.standard_normal(n) * rng.uniform(0.1, 10.0)
        for k in (1, 3, 8):
            sigma, u, v = _unpack(student.power_iteration(W, n_iter=k, v0=v0))
            sigma_ref, u_ref, v_ref = ref.power_iteration(W, k, v0)
            assert_scalar_close(sigma, sigma_ref, rtol=1e-10, name=f"sigma after {k} steps")
            assert_close(u, u_ref, rtol=1e-9, atol=1e-12, name=f"u after {k} steps")
            assert_close(v, v_ref, rtol=1e-9, atol=1e-12, name=f"v after {k} steps")


@pytest.mark.points(2)
def test_power_iteration_converges(student, rng, make_weights):
    """With enough iterations on matrices with a spectral gap, sigma is the top singular value
    and u, v are the top singular vectors (up to sign), with W v = sigma u."""
    for m, n in ((30, 12), (10, 25)):
        W, s, U, V = make_weights(m, n, gap=0.8)
        sigma, u, v = _unpack(student.power_iteration(W, n_iter=300, v0=rng.standard_normal(n)))
        assert_scalar_close(sigma, s[0], rtol=1e-10, name="sigma")
        assert u.shape == (m,) and v.shape == (n,)
        assert abs(abs(u @ U[:, 0]) - 1) < 1e-8 and abs(abs(v @ V[:, 0]) - 1) < 1e-8
        assert_close(W @ v, sigma * u, atol=1e-8, name="W v - sigma u")


@pytest.mark.points(1)
def test_power_iteration_underestimates_default_start_warm_start(student, rng, ref):
    """sigma_k never exceeds the spectral norm; v0=None starts from
    np.random.default_rng(seed).standard_normal(n); one step at a time, restarting from the
    returned v, gives the same sigmas as k steps at once."""
    W = rng.standard_normal((8, 6))
    v0 = rng.standard_normal(6)
    sigma_1 = ref.sigma_max(W)
    sigmas = [float(student.power_iteration(W, n_iter=k, v0=v0)[0]) for k in range(1, 7)]
    assert all(sig <= sigma_1 * (1 + 1e-12) for sig in sigmas)
    warm = student.drive("warm_started_sigmas", W, v0, 6)
    assert_close(warm, np.array(sigmas), rtol=1e-10, name="warm-started sigmas")
    seed = int(rng.integers(0, 1000))
    start = np.random.default_rng(seed).standard_normal(6)
    sigma, _, v = _unpack(student.power_iteration(W, n_iter=2, seed=seed))
    sigma_ref, _, v_ref = ref.power_iteration(W, 2, start)
    assert_scalar_close(sigma, sigma_ref, rtol=1e-10, name="sigma with v0=None")
    assert_close(v, v_ref, rtol=1e-9, atol=1e-12, name="v with v0=None")
