"""Tests of normlib.lipschitz against exact SVDs, dense conv matrices, autograd and torch."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm as torch_spectral_norm

from normlib.lipschitz import (
    SpectralNormalization,
    SpectralPenalty,
    certified_radius,
    certified_radius_binary,
    conv_fft_upper_bound,
    conv_operator_norm,
    layer_lipschitz_constants,
    lipschitz_upper_bound,
    operator_norm,
    power_iteration,
    register_spectral_normalization,
    spectral_sigma,
)


def matrix_with_spectrum(rng, m, n, s):
    """U diag(s) V^T with random orthogonal U, V: the singular values are known exactly."""
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    S = np.zeros((m, n))
    S[: len(s), : len(s)] = np.diag(s)
    return U @ S @ V.T, U[:, 0], V[:, 0]


def dense_conv_matrix(conv, shape):
    """The conv (without bias) as an explicit matrix: its action on each basis input."""
    n = int(np.prod(shape))
    weight = conv.weight.detach().double()
    with torch.no_grad():
        basis = torch.eye(n, dtype=torch.float64).reshape(n, *shape)
        out = conv._conv_forward(basis, weight, None)
    return out.reshape(n, -1).T


# --------------------------------------------------------------------------- #
# power iteration
# --------------------------------------------------------------------------- #
def test_power_iteration_matches_svd_values_and_vectors(rng):
    W, u1, v1 = matrix_with_spectrum(rng, 40, 30, [3.0, 2.0, 1.0, 0.5])
    result = power_iteration(W, n_iter=500, tol=1e-14, seed=1)
    assert isinstance(result.sigma, float)
    assert result.sigma == pytest.approx(np.linalg.norm(W, 2), rel=1e-12)
    assert abs(result.u @ u1) == pytest.approx(1.0, abs=1e-10)
    assert abs(result.v @ v1) == pytest.approx(1.0, abs=1e-10)
    assert result.u @ W @ result.v == pytest.approx(result.sigma, rel=1e-12)
    assert result.converged
    assert result.n_iter < 500


def test_power_iteration_error_shrinks_like_ratio_to_the_fourth(rng):
    # sigma_2 / sigma_1 = 0.9: the relative error of the estimate falls by 0.9^4 per step.
    W, _, _ = matrix_with_spectrum(rng, 30, 30, [1.0, 0.9, 0.5, 0.4, 0.3])
    errors = np.array([1.0 - power_iteration(W, n_iter=k, tol=0.0, seed=3).sigma
                       for k in range(20, 31)])
    assert np.all(errors > 0)  # always an underestimate
    ratios = errors[1:] / errors[:-1]
    np.testing.assert_allclose(ratios, 0.9 ** 4, rtol=0.02)


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-10, 10, allow_subnormal=False)),
       st.integers(1, 20))
def test_power_iteration_never_overestimates(W, n_iter):
    result = power_iteration(W, n_iter=n_iter, tol=0.0, seed=0)
    exact = np.linalg.norm(W, 2)
    assert result.sigma <= exact * (1 + 1e-12) + 1e-300
    if result.sigma > 0:
        assert np.linalg.norm(result.v) == pytest.approx(1.0)
        assert result.u @ W @ result.v == pytest.approx(result.sigma, rel=1e-9)


def test_power_iteration_zero_matrix():
    assert power_iteration(np.zeros((3, 4)), seed=0).sigma == 0.0


def test_power_iteration_torch_in_torch_out_and_matches_linalg():
    torch.manual_seed(0)
    W = torch.randn(64, 48, dtype=torch.float64, requires_grad=True)
    result = power_iteration(W, n_iter=2000, tol=1e-15, seed=0)
    assert isinstance(result.sigma, torch.Tensor)
    assert isinstance(result.u, torch.Tensor)
    assert not result.sigma.requires_grad
    exact = torch.linalg.matrix_norm(W.detach(), ord=2)
    assert float(result.sigma) == pytest.approx(float(exact), rel=1e-6)


def test_warm_start_needs_fewer_iterations(rng):
    # In training W moves a little between steps; the previous u is a good start.
    W0 = rng.standard_normal((200, 200)) / np.sqrt(200)
    W0[:, 0] *= 1.6  # a top singular value a little apart from the bulk
    previous = power_iteration(W0, n_iter=2000, tol=1e-12, seed=0)
    W1 = W0 + 1e-3 * rng.standard_normal(W0.shape) / np.sqrt(200)
    cold = power_iteration(W1, n_iter=2000, tol=1e-9, seed=1)
    warm = power_iteration(W1, n_iter=2000, tol=1e-9, u0=previous.u)
    exact = np.linalg.norm(W1, 2)
    assert warm.sigma == pytest.approx(exact, rel=1e-6)
    assert cold.sigma == pytest.approx(exact, rel=1e-6)
    assert warm.n_iter < cold.n_iter / 2


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"W": np.ones(3)}, "W must be 2-D"),
    ({"W": np.array([[1.0, np.nan]])}, "NaN"),
    ({"W": "abc"}, "W must be an array"),
    ({"W": np.ones((3, 2)), "n_iter": 0}, "n_iter must be >= 1"),
    ({"W": np.ones((3, 2)), "tol": -1.0}, "tol must be >= 0"),
    ({"W": np.ones((3, 2)), "u0": np.ones(2)}, "u0 must have 3 entries"),
    ({"W": np.array([[1.0, 0.0], [0.0, 0.0]]), "u0": np.array([0.0, 1.0])}, "orthogonal"),
    ({"W": np.ones((3, 2)), "seed": -1}, "seed must be a non-negative"),
])
def test_power_iteration_rejects_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        power_iteration(**kwargs)


# --------------------------------------------------------------------------- #
# convolutions
# --------------------------------------------------------------------------- #
CONV_CASES = [
    {"padding": 1},
    {"padding": 0},
    {"padding": 1, "stride": 2},
    {"padding": 2, "dilation": 2},
    {"padding": "same"},
    {"padding": 1, "padding_mode": "circular"},
    {"padding": 1, "padding_mode": "reflect"},
]


@pytest.mark.parametrize("kwargs", CONV_CASES)
def test_conv_operator_norm_matches_dense_matrix(kwargs):
    torch.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3, **kwargs)
    shape = (2, 8, 8)
    exact = float(torch.linalg.matrix_norm(dense_conv_matrix(conv, shape), ord=2))
    result = conv_operator_norm(conv, shape, n_iter=3000, tol=1e-12, seed=0)
    assert float(result.sigma) <= exact * (1 + 1e-12)
    assert float(result.sigma) == pytest.approx(exact, rel=1e-5)
    assert tuple(result.v.shape) == (1, *shape)
    # The reshaped (3, 2*3*3) kernel matrix is a different number altogether.
    kernel = float(torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2))
    assert abs(kernel - exact) > 0.1 * exact


def test_conv_with_groups_matches_dense_matrix():
    torch.manual_seed(2)
    conv = nn.Conv2d(4, 6, 3, padding=1, groups=2)
    exact = float(torch.linalg.matrix_norm(dense_conv_matrix(conv, (4, 6, 6)), ord=2))
    assert float(conv_operator_norm(conv, (1, 4, 6, 6), n_iter=3000, tol=1e-12).sigma) \
        == pytest.approx(exact, rel=1e-5)
    assert conv_fft_upper_bound(conv, (4, 6, 6)) >= exact * (1 - 1e-12)


@pytest.mark.parametrize("kwargs", [c for c in CONV_CASES if c.get("padding_mode") != "reflect"])
def test_conv_fft_bound_is_an_upper_bound(kwargs):
    torch.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3, **kwargs)
    exact = float(torch.linalg.matrix_norm(dense_conv_matrix(conv, (2, 8, 8)), ord=2))
    bound = conv_fft_upper_bound(conv, (2, 8, 8))
    assert bound >= exact * (1 - 1e-12)
    if kwargs.get("padding_mode") == "circular":  # circular, stride 1: exact
        assert bound == pytest.approx(exact, rel=1e-10)


def test_conv_fft_bound_rejects_reflect_padding():
    conv = nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")
    with pytest.raises(ValueError, match="use conv_operator_norm"):
        conv_fft_upper_bound(conv, (1, 8, 8))


def test_operator_norm_of_a_linear_function(rng):
    W, _, _ = matrix_with_spectrum(rng, 7, 5, [2.0, 1.0, 0.5])
    Wt = torch.tensor(W)
    result = operator_norm(lambda x: Wt @ x, (5,), n_iter=500, tol=1e-14, seed=0)
    assert float(result.sigma) == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize(("args", "error", "match"), [
    ((nn.Linear(3, 3), (3, 8, 8)), TypeError, "torch.nn.Conv2d"),
    ((nn.Conv2d(2, 3, 3), (3, 8, 8)), ValueError, "in_channels = 2"),
    ((nn.Conv2d(2, 3, 3), (2, 2, 8, 8)), ValueError, "ONE input"),
    ((nn.Conv2d(2, 3, 3), 5), TypeError, "tuple of ints"),
])
def test_conv_operator_norm_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        conv_operator_norm(*args)


# --------------------------------------------------------------------------- #
# whole-network bounds
# --------------------------------------------------------------------------- #
def max_jacobian_norm(model, inputs):
    """max_x ||J_f(x)||_2 over the given inputs (one sample at a time, with a batch axis)."""
    norms = []
    for x in inputs:
        J = torch.autograd.functional.jacobian(model, x[None])
        n_out = model(x[None]).numel()
        norms.append(float(torch.linalg.matrix_norm(J.reshape(n_out, -1), ord=2)))
    return max(norms)


def test_single_linear_layer_bound_is_exact():
    torch.manual_seed(0)
    layer = nn.Linear(6, 4)
    bound = lipschitz_upper_bound(nn.Sequential(layer))
    assert bound == pytest.approx(np.linalg.norm(layer.weight.detach().numpy(), 2), rel=1e-6)
    assert bound == pytest.approx(max_jacobian_norm(layer, torch.randn(3, 6)), rel=1e-6)


def test_mlp_bound_is_product_of_norms_and_above_every_jacobian():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(),
                          nn.Sequential(nn.Linear(16, 8), nn.LeakyReLU(0.1)), nn.Linear(8, 3))
    product = math.prod(np.linalg.norm(m.weight.detach().numpy(), 2)
                        for m in model.modules() if isinstance(m, nn.Linear))
    bound = lipschitz_upper_bound(model)
    assert bound == pytest.approx(product, rel=1e-6)
    assert bound >= max_jacobian_norm(model, 3 * torch.randn(200, 5))


def test_sigmoid_contributes_one_quarter():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    norms = [np.linalg.norm(model[i].weight.detach().numpy(), 2) for i in (0, 2)]
    bound = lipschitz_upper_bound(model)
    assert bound == pytest.approx(norms[0] * norms[1] / 4, rel=1e-6)
    assert bound >= max_jacobian_norm(model, torch.randn(100, 3))


def test_conv_network_bound_above_every_jacobian():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(),
                          nn.Conv2d(4, 3, 3, stride=2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(3 * 2 * 2, 5), nn.Dropout(0.5)).eval()
    power = lipschitz_upper_bound(model, input_shape=(2, 6, 6))
    fft = lipschitz_upper_bound(model, input_shape=(2, 6, 6), conv_method="fft")
    assert fft >= power * (1 - 1e-9)
    assert power >= max_jacobian_norm(model, torch.randn(50, 2, 6, 6))
    names = [name for name, _, _ in layer_lipschitz_constants(model, (2, 6, 6))]
    assert names[2] == "layer 2 (Conv2d)"


@pytest.mark.parametrize(("model", "kwargs", "error", "match"), [
    (nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)), {}, TypeError, r"layer 1 \(BatchNorm1d\)"),
    (nn.Sequential(nn.Linear(3, 3), nn.Softmax(dim=1)), {}, TypeError, "Softmax"),
    (nn.Linear(3, 3), {}, TypeError, "nn.Sequential"),
    (nn.Sequential(nn.Conv2d(1, 1, 3)), {}, ValueError, "input_shape"),
    (nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.2)), {}, ValueError, "model.eval"),
    (nn.Sequential(nn.Linear(3, 3)), {"conv_method": "svd"}, ValueError, "conv_method"),
])
def test_lipschitz_upper_bound_rejects_what_it_cannot_bound(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        lipschitz_upper_bound(model, **kwargs)


# --------------------------------------------------------------------------- #
# certified radius
# --------------------------------------------------------------------------- #
def test_tight_example_from_the_book():
    # f(x) = (x1, -x1): K = sqrt(2); at x = e1 the margin is 2 and the class flips at distance 1.
    layer = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
    K = lipschitz_upper_bound(nn.Sequential(layer))
    assert pytest.approx(math.sqrt(2)) == K
    x = torch.tensor([[1.0, 0.0]])
    radius = float(certified_radius(layer(x).detach(), K)[0])
    assert radius == pytest.approx(1.0)

    def pred(dx):
        return int(layer(x + torch.tensor([[dx, 0.0]])).argmax())

    assert pred(-(1 - 1e-6)) == 0
    assert pred(-(1 + 1e-6)) == 1
    margin_over_K = 2 / K  # the uncorrected rule would certify 1.414 ...
    assert pred(-0.5 * (1 + margin_over_K)) == 1  # ... but a smaller step already flips


@pytest.mark.parametrize("eps", [0.1, 1.0, 3.0])
def test_margin_above_K_eps_is_not_enough(eps):
    # f(x) = (a x1, -a x1) with K = sqrt(2) a; place x so that margin = 1.2 K eps.
    a = 0.7
    W = np.array([[a, 0.0, 0.0], [-a, 0.0, 0.0]])
    K = np.linalg.norm(W, 2)
    x = np.array([1.2 * K * eps / (2 * a), 0.3, -0.2])
    logits = W @ x
    margin = logits[0] - logits[1]
    assert margin == pytest.approx(1.2 * K * eps)
    assert margin > K * eps
    delta = np.array([-eps, 0.0, 0.0])  # ||delta|| = eps
    assert np.argmax(W @ x) == 0
    assert np.argmax(W @ (x + delta)) == 1
    assert certified_radius(logits[None, :], K)[0] < eps  # the sqrt(2) rule does not certify it


@pytest.fixture(scope="module")
def trained_mlp():
    """A small MLP trained on three 2-D Gaussian blobs (a fraction of a second)."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])
    X = np.concatenate([c + 0.6 * rng.standard_normal((40, 2)) for c in centers])
    y = np.repeat(np.arange(3), 40)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return model, X


def pgd_predictions(model, X, label, radius, steps=60):
    """L2 projected gradient ascent on max_{j != y} f_j - f_y inside the ball of given radii."""
    rows = torch.arange(len(X))
    delta = torch.zeros_like(X, requires_grad=True)
    for _ in range(steps):
        out = model(X + delta)
        others = out.clone()
        others[rows, label] = -torch.inf
        gap = (others.max(dim=1).values - out[rows, label]).sum()
        (grad,) = torch.autograd.grad(gap, delta)
        with torch.no_grad():
            delta += 0.1 * radius[:, None] * grad / (grad.norm(dim=1, keepdim=True) + 1e-12)
            delta *= torch.clamp(radius[:, None] / (delta.norm(dim=1, keepdim=True) + 1e-12),
                                 max=1.0)
    with torch.no_grad():
        return model(X + delta).argmax(dim=1)


def test_no_perturbation_inside_the_certified_radius_flips_a_prediction(trained_mlp):
    model, X = trained_mlp
    K = lipschitz_upper_bound(model)
    with torch.no_grad():
        logits = model(X)
    label = logits.argmax(dim=1)
    radius = certified_radius(logits, K)
    assert isinstance(radius, torch.Tensor)
    assert bool((radius > 0).all())
    inside = 0.999 * radius
    # random directions
    gen = torch.Generator().manual_seed(0)
    directions = torch.randn(100, *X.shape, generator=gen)
    directions /= directions.norm(dim=2, keepdim=True)
    with torch.no_grad():
        sampled = model(X + inside[None, :, None] * directions).argmax(dim=2)
    assert bool((sampled == label).all())
    # a gradient attack
    assert bool((pgd_predictions(model, X, label, inside) == label).all())
    # the same attack does flip predictions a few radii out: it is not toothless
    assert bool((pgd_predictions(model, X, label, 4 * radius) != label).any())


def test_certified_radius_numpy_and_validation():
    logits = np.array([[3.0, 1.0, 2.5], [0.0, 0.0, -1.0]])
    np.testing.assert_allclose(certified_radius(logits, 2.0),
                               [0.5 / (2 * math.sqrt(2)), 0.0])
    with pytest.raises(ValueError, match="at least 2 columns"):
        certified_radius(np.ones((3, 1)), 1.0)
    with pytest.raises(ValueError, match="lipschitz must be > 0"):
        certified_radius(logits, 0.0)
    with pytest.raises(ValueError, match="logits must be 2-D"):
        certified_radius(np.ones(3), 1.0)


def test_binary_radius_is_the_distance_to_the_hyperplane(rng):
    # f(x) = w.x + b is ||w||-Lipschitz; the distance to {f = 0} is |f(x)| / ||w||.
    w, b = rng.standard_normal(4), 0.3
    X = rng.standard_normal((20, 4))
    radius = certified_radius_binary(X @ w + b, np.linalg.norm(w))
    projections = X - np.outer((X @ w + b) / (w @ w), w)  # closest points on the hyperplane
    np.testing.assert_allclose(radius, np.linalg.norm(X - projections, axis=1), rtol=1e-12)
    with pytest.raises(ValueError, match="certified_radius"):
        certified_radius_binary(np.ones((3, 2)), 1.0)


# --------------------------------------------------------------------------- #
# differentiable spectral norm: penalty and normalisation
# --------------------------------------------------------------------------- #
def test_spectral_sigma_value_and_gradient_match_svd():
    torch.manual_seed(0)
    W = torch.randn(12, 9, dtype=torch.float64, requires_grad=True)
    sigma, u, v = spectral_sigma(W, n_power_iterations=500, seed=0)
    sigma.backward()
    W_ref = W.detach().clone().requires_grad_(True)
    torch.linalg.svdvals(W_ref)[0].backward()
    exact = torch.linalg.matrix_norm(W_ref.detach(), ord=2)
    assert float(sigma.detach()) == pytest.approx(float(exact), rel=1e-12)
    torch.testing.assert_close(W.grad, W_ref.grad, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(W.grad, torch.outer(u, v))


def test_spectral_sigma_tracks_a_slowly_moving_matrix_with_one_step_each():
    torch.manual_seed(0)
    W = torch.randn(30, 20, dtype=torch.float64)
    W[:, 0] *= 3  # a clear top singular value
    _, _, v = spectral_sigma(W, n_power_iterations=15, seed=0)
    for _ in range(50):
        W = W + 1e-3 * torch.randn_like(W)
        sigma, _, v = spectral_sigma(W, v, n_power_iterations=1)
    assert float(sigma) == pytest.approx(float(torch.linalg.matrix_norm(W, ord=2)), rel=1e-6)


def test_spectral_penalty_value_gradient_and_training():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)).double()
    penalty = SpectralPenalty(model, lam=0.5, n_power_iterations=50, squared=True, seed=0)
    value = penalty()
    value.backward()
    weights = [model[0].weight, model[2].weight]
    copies = [w.detach().clone().requires_grad_(True) for w in weights]
    reference = 0.5 * sum(torch.linalg.svdvals(w)[0] ** 2 for w in copies)
    reference.backward()
    assert float(value.detach()) == pytest.approx(float(reference.detach()), rel=1e-9)
    for w, c in zip(weights, copies, strict=True):
        torch.testing.assert_close(w.grad, c.grad, rtol=1e-6, atol=1e-9)
    assert set(penalty.state_dict()) == {"_v0", "_v1"}
    # gradient steps on the penalty alone shrink the spectral norms
    before = [float(torch.linalg.matrix_norm(w.detach(), ord=2)) for w in weights]
    opt = torch.optim.SGD(model.parameters(), lr=0.02)
    for _ in range(10):
        opt.zero_grad()
        penalty().backward()
        opt.step()
    after = [float(torch.linalg.matrix_norm(w.detach(), ord=2)) for w in weights]
    assert all(a < b for a, b in zip(after, before, strict=True))
    # the stored estimates stay below the true norms (the shrinking top singular values bunch
    # up, so the gap, and with it the speed of power iteration, falls as training goes on)
    estimates = penalty.sigmas()
    assert all(0 < e <= a * (1 + 1e-12) for e, a in zip(estimates, after, strict=True))


def test_spectral_penalty_rejects_bad_input():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        SpectralPenalty("model")
    with pytest.raises(ValueError, match="no weight to penalise"):
        SpectralPenalty(nn.Sequential(nn.ReLU()))
    with pytest.raises(ValueError, match="lam must be >= 0"):
        SpectralPenalty(nn.Linear(2, 2), lam=-1.0)


def test_spectral_normalization_matches_torch_given_the_same_vectors():
    torch.manual_seed(0)
    ours, theirs = nn.Linear(20, 10), nn.Linear(20, 10)
    theirs.load_state_dict(ours.state_dict())
    torch_spectral_norm(theirs)
    register_spectral_normalization(ours, seed=0)
    mine, ref = ours.parametrizations.weight[0], theirs.parametrizations.weight[0]
    assert isinstance(mine, SpectralNormalization)
    mine._u.copy_(ref._u)
    mine._v.copy_(ref._v)
    x = torch.randn(5, 20)
    for _ in range(3):  # training mode: one power step per access, gradients through sigma
        torch.testing.assert_close(ours(x), theirs(x), rtol=0, atol=0)
        ours(x).square().sum().backward()
        theirs(x).square().sum().backward()
        torch.testing.assert_close(ours.parametrizations.weight.original.grad,
                                   theirs.parametrizations.weight.original.grad, rtol=0, atol=0)


def test_spectral_normalization_norm_at_least_one_and_converges():
    torch.manual_seed(0)
    layer = register_spectral_normalization(nn.Linear(30, 30).double(), seed=0)
    norms = []
    for _ in range(200):
        norms.append(float(torch.linalg.matrix_norm(layer.weight.detach(), ord=2)))
    assert min(norms) >= 1 - 1e-12  # sigma_hat underestimates, so ||W / sigma_hat|| >= 1
    assert norms[-1] == pytest.approx(1.0, abs=1e-9)
    layer.eval()  # no power step in eval mode: the vectors stay put
    u = layer.parametrizations.weight[0]._u.clone()
    _ = layer.weight
    assert torch.equal(u, layer.parametrizations.weight[0]._u)
    parametrize.remove_parametrizations(layer, "weight")
    final = float(torch.linalg.matrix_norm(layer.weight.detach(), ord=2))
    assert final == pytest.approx(1.0, abs=1e-9)


def test_spectral_normalization_of_a_conv_kernel_does_not_bound_the_conv():
    torch.manual_seed(0)
    conv = register_spectral_normalization(nn.Conv2d(3, 8, 3, padding=1), seed=0)
    for _ in range(50):
        _ = conv.weight
    kernel = float(torch.linalg.matrix_norm(conv.weight.detach().flatten(1), ord=2))
    assert kernel == pytest.approx(1.0, rel=1e-4)
    plain = nn.Conv2d(3, 8, 3, padding=1)
    with torch.no_grad():
        plain.weight.copy_(conv.weight)
    operator = float(conv_operator_norm(plain, (3, 8, 8), n_iter=1000, tol=1e-10).sigma)
    assert abs(operator - 1.0) > 0.1


def test_register_spectral_normalization_rejects_bad_input():
    with pytest.raises(ValueError, match="no tensor attribute 'kernel'"):
        register_spectral_normalization(nn.Linear(2, 2), name="kernel")
    with pytest.raises(TypeError, match="torch.nn.Module"):
        register_spectral_normalization(torch.ones(2, 2))
    with pytest.raises(ValueError, match="n_power_iterations must be >= 1"):
        register_spectral_normalization(nn.Linear(2, 2), n_power_iterations=0)


def test_bound_does_not_move_spectral_normalization_state():
    """Reading the bound of a spectrally normalized model in training mode is
    side-effect free: the same K twice, and the model stays in training mode."""
    from normlib.lipschitz import lipschitz_upper_bound, register_spectral_normalization

    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 8)).double()
    register_spectral_normalization(m[0], seed=0)
    first, second = lipschitz_upper_bound(m), lipschitz_upper_bound(m)
    assert first == second
    assert m.training
    assert m[0].training
