"""Tests of normlib.penalties against numpy/scipy norms, finite differences and torch.autograd."""

import numpy as np
import pytest
import scipy.linalg
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, grouped_vectors, matrices, nonneg

from normlib import penalties as P


def _t(x, grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def _finite_difference(f, w, h=1e-6):
    """Central differences of a scalar function of an array."""
    g = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[idx] = h
        g[idx] = (f(w + e) - f(w - e)) / (2 * h)
    return g


# ---------------------------------------------------------------- values
@given(w=arrays())
def test_values_match_numpy_norms(w):
    flat = w.ravel()
    assert P.l2(w) == pytest.approx(0.5 * np.linalg.norm(flat) ** 2, rel=1e-12, abs=1e-12)
    assert P.l1(w) == pytest.approx(np.linalg.norm(flat, 1), rel=1e-12, abs=1e-12)
    expected = 0.3 * np.linalg.norm(flat, 1) + 0.2 * np.linalg.norm(flat) ** 2
    assert P.elastic_net(w, 0.3, 0.2) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(W=matrices())
def test_group_l21_of_a_matrix_sums_row_norms(W):
    expected = sum(np.linalg.norm(row) for row in W)
    assert P.group_l21(W) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(wg=grouped_vectors())
def test_group_l21_with_labels(wg):
    w, groups = wg
    labels = np.unique(groups)
    norms = np.array([np.linalg.norm(w[groups == g]) for g in labels])
    sizes = np.array([(groups == g).sum() for g in labels])
    assert P.group_l21(w, groups) == pytest.approx(norms.sum(), rel=1e-12, abs=1e-12)
    assert P.group_l21(w, groups, weights="sqrt_size") == pytest.approx(
        (np.sqrt(sizes) * norms).sum(), rel=1e-12, abs=1e-12)
    c = np.arange(1.0, len(labels) + 1)
    assert P.group_l21(w, groups, weights=c) == pytest.approx((c * norms).sum(), rel=1e-12,
                                                              abs=1e-12)
    assert P.group_l21(w) == pytest.approx(np.linalg.norm(w), rel=1e-12, abs=1e-12)


def test_spectral_matches_scipy_singular_values(rng):
    for shape in [(5, 3), (3, 7), (1, 4), (6, 6)]:
        W = rng.standard_normal(shape)
        assert P.spectral(W) == pytest.approx(scipy.linalg.svdvals(W)[0], rel=1e-12)
        # sigma_max = max ||W x|| over unit x: no unit vector beats it
        x = rng.standard_normal((shape[1], 200))
        x /= np.linalg.norm(x, axis=0)
        assert np.linalg.norm(W @ x, axis=0).max() <= P.spectral(W) * (1 + 1e-12)


# ---------------------------------------------------------------- (sub)gradients
SMOOTH_AWAY_FROM_ZERO = [
    ("l2", P.l2, P.l2_grad),
    ("l1", P.l1, P.l1_subgrad),
    ("elastic_net", lambda w: P.elastic_net(w, 0.3, 0.7),
     lambda w: P.elastic_net_subgrad(w, 0.3, 0.7)),
    ("group_l21", P.group_l21, P.group_l21_subgrad),
    ("group_l21 sqrt_size", lambda w: P.group_l21(w, [0, 1, 0, 2, 1, 0], weights="sqrt_size"),
     lambda w: P.group_l21_subgrad(w, [0, 1, 0, 2, 1, 0], weights="sqrt_size")),
    ("spectral", P.spectral, P.spectral_grad),
]


@pytest.mark.parametrize(("name", "value", "grad"), SMOOTH_AWAY_FROM_ZERO)
def test_gradient_matches_finite_differences(rng, name, value, grad):
    w = rng.standard_normal(6) if "sqrt_size" in name else rng.standard_normal((3, 2))
    np.testing.assert_allclose(grad(w), _finite_difference(value, w), atol=1e-7, err_msg=name)


@pytest.mark.parametrize(("name", "value", "grad"), SMOOTH_AWAY_FROM_ZERO)
def test_torch_value_and_autograd_match_numpy(rng, name, value, grad):
    w = rng.standard_normal(6) if "sqrt_size" in name else rng.standard_normal((3, 2))
    if name != "spectral":  # zeros exercise the subgradient convention (0 at the kink)
        w[1] = 0.0
    wt = _t(w, grad=True)
    out = value(wt)
    assert isinstance(out, torch.Tensor)
    assert out.ndim == 0
    assert out.item() == pytest.approx(value(w), rel=1e-12)
    out.backward()
    np.testing.assert_allclose(wt.grad.numpy(), grad(w), atol=1e-12, err_msg=name)
    assert isinstance(grad(wt.detach()), torch.Tensor)


@pytest.mark.parametrize(("name", "value", "grad"), SMOOTH_AWAY_FROM_ZERO)
@given(seed=st.integers(0, 2**32 - 1), zero_rows=st.lists(st.booleans(), min_size=3,
                                                           max_size=3))
def test_subgradient_inequality(name, value, grad, seed, zero_rows):
    # convexity: f(u) >= f(w) + g . (u - w) for every u, where g is a subgradient at w
    rng = np.random.default_rng(seed)
    shape = (6,) if "sqrt_size" in name else (3, 2)
    w = rng.standard_normal(shape)
    if name == "group_l21 sqrt_size":  # zero whole groups of the labels [0, 1, 0, 2, 1, 0]
        w[np.isin([0, 1, 0, 2, 1, 0], np.flatnonzero(zero_rows))] = 0.0
    elif name != "spectral":
        w[np.array(zero_rows)] = 0.0
    g = grad(w)
    for u in rng.standard_normal((10, *shape)):
        assert value(u) >= value(w) + np.sum(g * (u - w)) - 1e-10


def test_spectral_autograd_in_a_loss_shrinks_sigma_max(rng):
    # one gradient step on sigma_max lowers it (the gradient is u1 v1^T)
    W = _t(rng.standard_normal((4, 3)), grad=True)
    s = P.spectral(W)
    s.backward()
    with torch.no_grad():
        W2 = W - 0.1 * W.grad
    assert P.spectral(W2).item() == pytest.approx(s.item() - 0.1, rel=1e-10)


@given(w=arrays(), lam1=nonneg(), lam2=nonneg())
def test_elastic_net_is_the_weighted_sum(w, lam1, lam2):
    expected = lam1 * P.l1(w) + 2 * lam2 * P.l2(w)
    assert P.elastic_net(w, lam1, lam2) == pytest.approx(expected, rel=1e-10, abs=1e-10)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: P.l1([1.0, np.nan]), ValueError, "w contains NaN"),
    (lambda: P.l2(None), TypeError, "w must be an array"),
    (lambda: P.elastic_net([1.0], -0.1, 0.1), ValueError, "lam1 must be >= 0"),
    (lambda: P.elastic_net([1.0], 0.1, np.inf), ValueError, "lam2 must be finite"),
    (lambda: P.group_l21(np.ones((2, 2, 2))), ValueError, "W must be 1-D or 2-D"),
    (lambda: P.group_l21(np.ones(3), [0, 1]), ValueError, "groups has 2 labels"),
    (lambda: P.group_l21(np.ones(3), [0.0, 1.5, 1.0]), TypeError, "integer labels"),
    (lambda: P.group_l21(np.ones(3), [0, 1, 1], weights=[1.0]), ValueError, "weights must hold"),
    (lambda: P.group_l21(np.ones(3), [0, 1, 1], weights="sqrt"), ValueError, "sqrt_size"),
    (lambda: P.spectral(np.ones(3)), ValueError, "W must be 2-D"),
    (lambda: P.spectral(np.full((2, 2), np.inf)), ValueError, "W contains NaN or infinite"),
])
def test_bad_input_raises_a_message_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
