"""q2: the product bound and the Jacobian of a ReLU network."""

import numpy as np
import pytest

from labgrader.checks import assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(2)
def test_upper_bound_is_product_of_norms(student, make_weights, ref):
    """lipschitz_upper_bound(weights) is the product of the layers' spectral norms (compared
    with numpy's SVD) for networks of 1 to 4 layers."""
    for dims in ((6, 4), (5, 16, 3), (8, 20, 12, 2), (3, 10, 10, 10, 4)):
        weights = [make_weights(dims[i + 1], dims[i])[0] for i in range(len(dims) - 1)]
        expected = float(np.prod([ref.sigma_max(W) for W in weights]))
        assert_scalar_close(student.lipschitz_upper_bound(weights), expected, rtol=1e-9)


@pytest.mark.points(1)
def test_upper_bound_edge_cases(student, rng, make_weights):
    """A single row (one output) has spectral norm equal to its Euclidean norm, and scaling a
    layer by c scales the bound by |c|."""
    row = rng.standard_normal((1, 7))
    assert_scalar_close(student.lipschitz_upper_bound([row]), np.sqrt(np.sum(row**2)),
                        rtol=1e-10)
    W1, s1, _, _ = make_weights(9, 5)
    W2, s2, _, _ = make_weights(3, 9)
    c = float(rng.uniform(-4.0, -0.5))
    assert_scalar_close(student.lipschitz_upper_bound([W1, c * W2]), abs(c) * s1[0] * s2[0],
                        rtol=1e-9)


@pytest.mark.points(2)
def test_mlp_jacobian_matches_autodiff(student, rng, ref):
    """mlp_jacobian(weights, x) equals the Jacobian computed by PyTorch's autodiff of the same
    ReLU network, at random inputs, for one to three layers."""
    for dims in ((4, 3), (6, 10, 2), (5, 12, 8, 3)):
        weights = ref.random_net(rng, dims)
        for _ in range(3):
            x = rng.standard_normal(dims[0])
            assert_close(student.mlp_jacobian(weights, x), ref.jacobian(weights, x),
                         rtol=1e-10, atol=1e-12)
