"""Tests of normlib.rescaling against brute-force path enumeration, closed forms and autograd."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from normlib.rescaling import l2_norm_squared, path_norm, rescale_relu, scale_invariance_check


def num(t):
    """A tensor's value as a Python float (detached)."""
    return t.detach().item()


def tiny_mlp(seed=0, sizes=(3, 4, 3, 2), bias=True):
    torch.manual_seed(seed)
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, bias=bias))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers).double()


def path_norm_bruteforce(model, include_bias=True):
    """Oracle: the sum over all paths of the product of squared edge weights, path by path.

    Levels 0..L hold the units (level 0: the inputs). A path starts at an input unit
    (start level 0) or, with biases, at the constant unit whose edge is the bias of a unit
    at level s >= 1, and then follows one edge per layer up to an output unit.
    """
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, nn.Linear)]
    L = len(weights)
    sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
    total = torch.zeros((), dtype=weights[0].dtype)
    for start in range(L + 1 if include_bias else 1):
        for units in itertools.product(*(range(size) for size in sizes[start:])):
            product = torch.ones((), dtype=total.dtype)
            if start > 0:
                product = product * biases[start - 1][units[0]] ** 2
            for k in range(start, L):  # the edge of layer k, from level k to level k + 1
                product = product * weights[k][units[k - start + 1], units[k - start]] ** 2
            total = total + product
    return total


def test_bruteforce_oracle_on_a_hand_computed_net():
    # 1 -> 1 -> 1 with weights 2, 3 and biases 5, 7: paths x-h-o (2*3)^2, b1-h-o (5*3)^2, b2-o 7^2
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1)).double()
    with torch.no_grad():
        model[0].weight.fill_(2.0)
        model[0].bias.fill_(5.0)
        model[2].weight.fill_(3.0)
        model[2].bias.fill_(7.0)
    assert num(path_norm_bruteforce(model).detach()) == 36 + 225 + 49
    assert num(path_norm(model, squared=True)) == 36 + 225 + 49
    assert num(path_norm(model, include_bias=False, squared=True)) == 36


@pytest.mark.parametrize("include_bias", [True, False])
def test_path_norm_matches_bruteforce_value_and_gradient(include_bias):
    model = tiny_mlp(1)
    fast = path_norm(model, include_bias=include_bias, squared=True)
    grads_fast = torch.autograd.grad(fast, list(model.parameters()), allow_unused=True)
    slow = path_norm_bruteforce(model, include_bias=include_bias)
    grads_slow = torch.autograd.grad(slow, list(model.parameters()), allow_unused=True)
    assert num(fast) == pytest.approx(num(slow), rel=1e-12)
    for a, b in zip(grads_fast, grads_slow, strict=True):
        if a is None or b is None:
            assert a is None or not include_bias
            continue
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert num(path_norm(model, include_bias=include_bias)) == pytest.approx(
        num(slow) ** 0.5, rel=1e-12)


def test_path_norm_of_one_layer_is_the_frobenius_norm():
    layer = nn.Linear(5, 3).double()
    W, b = layer.weight.detach(), layer.bias.detach()
    model = nn.Sequential(layer)
    assert num(path_norm(model, include_bias=False)) == pytest.approx(float(torch.linalg.norm(W)))
    assert num(path_norm(model, squared=True)) == pytest.approx(
        float((W ** 2).sum() + (b ** 2).sum()))


@pytest.mark.parametrize("alpha", [1e-3, 0.5, 7.0, "per-unit"])
def test_rescaling_keeps_the_function_and_path_norm_not_the_l2_norm(alpha):
    model = tiny_mlp(2, sizes=(4, 6, 5, 3))
    if alpha == "per-unit":
        alpha = np.random.default_rng(0).uniform(0.1, 10, size=5)
    rescaled = rescale_relu(model, 1, alpha)
    x = torch.randn(50, 4, dtype=torch.float64)
    torch.testing.assert_close(rescaled(x), model(x), rtol=1e-12, atol=1e-12)
    for include_bias in (True, False):
        assert num(path_norm(rescaled, include_bias)) == pytest.approx(
            num(path_norm(model, include_bias)), rel=1e-12)
    # the L2 norm changes by the closed-form amount
    a = torch.tensor(np.broadcast_to(alpha, (5,)), dtype=torch.float64)
    W1, b1, W2 = model[2].weight.detach(), model[2].bias.detach(), model[4].weight.detach()
    expected = (num(l2_norm_squared(model))
                + float(((a[:, None] ** 2 - 1) * W1 ** 2).sum() + ((a ** 2 - 1) * b1 ** 2).sum())
                + float(((1 / a[None, :] ** 2 - 1) * W2 ** 2).sum()))
    assert num(l2_norm_squared(rescaled)) == pytest.approx(expected, rel=1e-12)
    assert num(l2_norm_squared(rescaled)) != pytest.approx(num(l2_norm_squared(model)))
    # the original is untouched
    assert not torch.equal(rescaled[2].weight, model[2].weight)


@given(st.lists(st.floats(0.05, 20.0), min_size=4, max_size=4),
       st.lists(st.floats(0.05, 20.0), min_size=3, max_size=3))
def test_path_norm_invariant_under_any_rescaling(alpha0, alpha1):
    model = tiny_mlp(3)
    rescaled = rescale_relu(rescale_relu(model, 0, np.array(alpha0)), 1, torch.tensor(alpha1))
    assert num(path_norm(rescaled)) == pytest.approx(num(path_norm(model)), rel=1e-10)
    x = torch.randn(10, 3, dtype=torch.float64)
    torch.testing.assert_close(rescaled(x), model(x), rtol=1e-10, atol=1e-10)


def test_leaky_relu_networks_are_rescalable_too():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1)).double()
    x = torch.randn(20, 3, dtype=torch.float64)
    torch.testing.assert_close(rescale_relu(model, 0, 3.0)(x), model(x))


def test_l2_norm_squared_without_bias():
    model = tiny_mlp(0)
    weights = sum(float((m.weight.detach() ** 2).sum()) for m in model if isinstance(m, nn.Linear))
    assert num(l2_norm_squared(model, include_bias=False)) == pytest.approx(weights)


@pytest.mark.parametrize(("model", "kwargs", "error", "match"), [
    (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), {}, TypeError,
     r"layer 1 \(BatchNorm1d\)"),
    (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)), {}, TypeError, "Tanh"),
    (nn.Linear(2, 3), {}, TypeError, "nn.Sequential"),
    (nn.Sequential(nn.Linear(2, 3)), {}, ValueError, "no hidden layer"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), {"layer": 1}, ValueError,
     "layer must be <= 0"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), {"alpha": -1.0}, ValueError,
     "alpha must be > 0"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), {"alpha": [1.0, 2.0]},
     ValueError, "one factor per unit of hidden layer 0 \\(3\\)"),
    (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), {"alpha": [1.0, 0.0, 2.0]},
     ValueError, "> 0 for every unit"),
])
def test_rescale_relu_rejects_bad_input(model, kwargs, error, match):
    arguments = {"layer": 0, "alpha": 2.0, **kwargs}
    with pytest.raises(error, match=match):
        rescale_relu(model, **arguments)


def test_path_norm_rejects_non_mlp():
    with pytest.raises(TypeError, match="Conv2d"):
        path_norm(nn.Sequential(nn.Conv2d(1, 1, 3)))


def bn_loss(with_batchnorm):
    """Cross-entropy of a small net as a function of its first layer's weight."""
    torch.manual_seed(0)
    layers = [nn.Linear(5, 8)]
    if with_batchnorm:
        layers.append(nn.BatchNorm1d(8, eps=1e-30))  # tiny eps: invariant to scale
    model = nn.Sequential(*layers, nn.ReLU(), nn.Linear(8, 3)).double().train()
    X, y = torch.randn(32, 5, dtype=torch.float64), torch.randint(0, 3, (32,))
    params = dict(model.named_parameters())

    def loss_fn(w):
        out = torch.func.functional_call(model, {**params, "0.weight": w}, (X,))
        return nn.functional.cross_entropy(out, y)

    return loss_fn, params["0.weight"].detach()


def test_batchnorm_makes_the_gradient_orthogonal_to_the_weights():
    loss_fn, w = bn_loss(with_batchnorm=True)
    check = scale_invariance_check(loss_fn, w, scales=(0.1, 0.5, 3.0))
    assert check.max_loss_change < 1e-12
    assert abs(check.radial_derivative) < 1e-12 * check.grad_norm * check.w_norm + 1e-15
    assert check.grad_norm > 1e-3
    # so a gradient step grows the norm: ||w - lr g||^2 = ||w||^2 + lr^2 ||g||^2
    w_req = w.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(w_req), w_req)
    lr = 0.5
    stepped = w - lr * grad
    assert float(stepped.norm() ** 2) == pytest.approx(
        check.w_norm ** 2 + lr ** 2 * check.grad_norm ** 2, rel=1e-12)


def test_without_batchnorm_the_check_fails():
    loss_fn, w = bn_loss(with_batchnorm=False)
    check = scale_invariance_check(loss_fn, w)
    assert check.max_loss_change > 1e-3
    assert abs(check.radial_derivative) > 1e-3 * check.grad_norm * check.w_norm


def test_scale_invariance_check_rejects_bad_input():
    with pytest.raises(TypeError, match="w must be a torch.Tensor"):
        scale_invariance_check(lambda w: w.sum(), np.ones(3))
    with pytest.raises(ValueError, match="scales must be > 0"):
        scale_invariance_check(lambda w: w.sum(), torch.ones(3), scales=(0.0,))
