"""q1: the forward pass; q2: rescaling one hidden unit."""

import numpy as np
import pytest

from labgrader.checks import assert_close
from labgrader.proxy import StudentException


@pytest.mark.exercise("q1")
@pytest.mark.points(2)
def test_forward_matches_torch(student, rng, make_net, ref):
    """mlp_forward(weights, biases, X) equals PyTorch's Linear/ReLU network on random inputs,
    for 1 to 4 layers (no ReLU on the output)."""
    for dims in ((5, 3), (4, 7, 2), (3, 6, 5, 4), (2, 4, 4, 4, 1)):
        weights, biases = make_net(dims)
        X = rng.standard_normal((13, dims[0]))
        assert_close(student.mlp_forward(weights, biases, X), ref.forward(weights, biases, X),
                     rtol=1e-10, atol=1e-12)


@pytest.mark.exercise("q1")
@pytest.mark.points(1)
def test_forward_edge_cases(student, rng, make_net, ref):
    """A single input row, and a network whose hidden units are all inactive (large negative
    biases: the output is the last bias)."""
    weights, biases = make_net((3, 5, 2))
    x = rng.standard_normal((1, 3))
    assert_close(student.mlp_forward(weights, biases, x), ref.forward(weights, biases, x),
                 rtol=1e-10, atol=1e-12)
    dead = [biases[0] - 1e3, biases[1]]
    X = rng.standard_normal((4, 3))
    assert_close(student.mlp_forward(weights, dead, X), np.tile(biases[1], (4, 1)),
                 rtol=1e-12, atol=1e-12)


def _rescaled_ref(weights, biases, layer, unit, c):
    Ws = [W.copy() for W in weights]
    bs = [b.copy() for b in biases]
    Ws[layer][unit] = Ws[layer][unit] * c
    bs[layer][unit] = bs[layer][unit] * c
    Ws[layer + 1][:, unit] = Ws[layer + 1][:, unit] / c
    return Ws, bs


@pytest.mark.exercise("q2")
@pytest.mark.points(2)
def test_rescale_entries(student, rng, make_net):
    """rescale_unit(weights, biases, layer, unit, c) scales the unit's incoming row and bias by
    c and divides its outgoing column by c, leaving every other entry alone, for every hidden
    layer of a 3-layer network and random units and c."""
    weights, biases = make_net((4, 6, 5, 3))
    for layer in (0, 1):
        unit = int(rng.integers(0, weights[layer].shape[0]))
        c = float(np.exp(rng.uniform(-3.0, 3.0)))
        got_W, got_b = student.rescale_unit(weights, biases, layer, unit, c)
        exp_W, exp_b = _rescaled_ref(weights, biases, layer, unit, c)
        assert len(got_W) == 3 and len(got_b) == 3
        for k in range(3):
            assert_close(got_W[k], exp_W[k], rtol=1e-13, atol=1e-15, name=f"weights[{k}]")
            assert_close(got_b[k], exp_b[k], rtol=1e-13, atol=1e-15, name=f"biases[{k}]")


@pytest.mark.exercise("q2")
@pytest.mark.points(1)
def test_rescale_keeps_function_and_rejects_bad_c(student, rng, make_net, ref):
    """The rescaled network computes the same function (checked with PyTorch), c = 1 changes
    nothing, and c <= 0 raises ValueError."""
    weights, biases = make_net((3, 8, 2))
    X = rng.standard_normal((20, 3))
    c = float(rng.uniform(5.0, 50.0))
    got_W, got_b = student.rescale_unit(weights, biases, 0, 3, c)
    got_W = [np.asarray(W, dtype=float) for W in got_W]
    got_b = [np.asarray(b, dtype=float) for b in got_b]
    assert_close(ref.forward(got_W, got_b, X), ref.forward(weights, biases, X), rtol=1e-10,
                 atol=1e-12, name="outputs after rescaling")
    same_W, _ = student.rescale_unit(weights, biases, 0, 1, 1.0)
    assert_close(same_W[1], weights[1], rtol=0, atol=0, name="c = 1")
    for bad in (0.0, -2.0):
        with pytest.raises(StudentException) as info:
            student.rescale_unit(weights, biases, 0, 0, bad)
        assert info.value.type_name == "ValueError", info.value.type_name
