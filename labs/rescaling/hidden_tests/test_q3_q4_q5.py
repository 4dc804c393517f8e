"""q3: the sum of squared weights; q4: the path norm; q5: the balancing scale and the answer."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close


@pytest.mark.exercise("q3")
@pytest.mark.points(1)
def test_sum_squared_random(student, make_net):
    """sum_squared_weights(weights, biases) = sum of the squares of every weight and bias, for
    networks of 1 to 3 layers."""
    for dims in ((6, 2), (3, 9, 4), (5, 4, 7, 1)):
        weights, biases = make_net(dims)
        expected = sum(float(np.sum(a * a)) for a in weights + biases)
        assert_scalar_close(student.sum_squared_weights(weights, biases), expected, rtol=1e-12)


@pytest.mark.exercise("q3")
@pytest.mark.points(1)
def test_sum_squared_under_rescaling(student, rng, make_net):
    """After rescaling one unit by c (done here, in the grader), the sum changes by
    (c^2 - 1) A + (1/c^2 - 1) B, A and B the unit's incoming and outgoing squared norms; with
    all biases zero it counts the weights only."""
    weights, biases = make_net((4, 6, 3))
    c = float(rng.uniform(2.0, 10.0))
    A = np.sum(weights[0][2] ** 2) + biases[0][2] ** 2
    B = np.sum(weights[1][:, 2] ** 2)
    Ws = [weights[0].copy(), weights[1].copy()]
    bs = [biases[0].copy(), biases[1].copy()]
    Ws[0][2] *= c
    bs[0][2] *= c
    Ws[1][:, 2] /= c
    before = float(student.sum_squared_weights(weights, biases))
    after = float(student.sum_squared_weights(Ws, bs))
    assert_scalar_close(after - before, (c * c - 1) * A + (1 / (c * c) - 1) * B, rtol=1e-9)
    zeros = [np.zeros(6), np.zeros(3)]
    assert_scalar_close(student.sum_squared_weights(weights, zeros),
                        np.sum(weights[0] ** 2) + np.sum(weights[1] ** 2), rtol=1e-12)


@pytest.mark.exercise("q4")
@pytest.mark.points(2)
def test_path_norm_without_biases(student, make_net, ref):
    """path_norm_squared with zero biases equals the sum over all input-to-output paths of the
    squared products (explicit enumeration), for 1 to 3 layers."""
    for dims in ((4, 3), (3, 5, 2), (2, 4, 3, 3)):
        weights, biases = make_net(dims)
        zeros = [np.zeros_like(b) for b in biases]
        assert_scalar_close(student.path_norm_squared(weights, zeros), ref.path_norm(weights),
                            rtol=1e-11)


@pytest.mark.exercise("q4")
@pytest.mark.points(1)
def test_path_norm_with_biases_and_invariance(student, rng, make_net, ref):
    """With biases (paths from a bias unit counted) path_norm_squared equals the enumeration,
    and it does not change when a hidden unit is rescaled (done here, in the grader)."""
    weights, biases = make_net((3, 4, 4, 2))
    expected = ref.path_norm(weights, biases)
    assert_scalar_close(student.path_norm_squared(weights, biases), expected, rtol=1e-11)
    Ws = [W.copy() for W in weights]
    bs = [b.copy() for b in biases]
    c = float(rng.uniform(3.0, 30.0))
    Ws[1][0] *= c
    bs[1][0] *= c
    Ws[2][:, 0] /= c
    assert_scalar_close(student.path_norm_squared(Ws, bs), expected, rtol=1e-10)


@pytest.mark.exercise("q4")
@pytest.mark.points(1)
def test_path_norm_brute_force(student, make_net, ref):
    """path_norm_brute_force(weights) equals the sum over all paths, for 1 to 3 layers of
    different widths (biases ignored)."""
    for dims in ((3, 2), (2, 3, 4), (3, 2, 4, 2)):
        weights, _ = make_net(dims)
        assert_scalar_close(student.path_norm_brute_force(weights), ref.path_norm(weights),
                            rtol=1e-11)


@pytest.mark.exercise("q5")
@pytest.mark.points(2)
def test_balancing_scale_minimises(student, rng, make_net):
    """balancing_scale(weights, biases, layer, unit) minimises c^2 A + B / c^2 (A: incoming
    weights and bias, B: outgoing weights): compared with a fine grid search, and after
    rescaling by it the incoming and outgoing squared norms are equal."""
    weights, biases = make_net((5, 7, 6, 2))
    for layer in (0, 1):
        unit = int(rng.integers(0, weights[layer].shape[0]))
        A = np.sum(weights[layer][unit] ** 2) + biases[layer][unit] ** 2
        B = np.sum(weights[layer + 1][:, unit] ** 2)
        c = float(student.balancing_scale(weights, biases, layer, unit))
        grid = np.exp(np.linspace(-5, 5, 200001))
        best = grid[np.argmin(grid**2 * A + B / grid**2)]
        assert_scalar_close(c, best, rtol=1e-3, name="minimiser")
        assert_scalar_close(c * c * A, B / (c * c), rtol=1e-9, name="balanced norms")


@pytest.mark.exercise("q5")
@pytest.mark.points(1)
def test_answer_q5(student):
    """The answer to the question of q5."""
    assert student.value("answer_q5") == "C"
