"""q3: the certified radius with the sqrt(2) factor."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(1)
def test_certified_radius_random_logits(student, rng):
    """certified_radius(logits, K) = (top logit - runner-up) / (sqrt(2) K), row by row."""
    logits = rng.normal(scale=3.0, size=(50, 6))
    K = float(rng.uniform(0.2, 5.0))
    top2 = np.partition(logits, -2, axis=1)[:, -2:]
    expected = np.abs(top2[:, 1] - top2[:, 0]) / (np.sqrt(2.0) * K)
    assert_close(student.certified_radius(logits, K), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.points(1)
def test_certified_radius_ties_and_two_classes(student, rng):
    """A tie between the top two logits gives radius 0; with two classes the radius is
    |f_1 - f_2| / (sqrt(2) K)."""
    logits = rng.normal(size=(5, 4))
    logits[:, 1] = logits.max(axis=1) + 1.0
    logits[:, 3] = logits[:, 1]
    assert_close(student.certified_radius(logits, 2.0), np.zeros(5), atol=1e-15)
    two = rng.normal(size=(20, 2))
    K = float(rng.uniform(0.5, 2.0))
    assert_close(student.certified_radius(two, K),
                 np.abs(two[:, 0] - two[:, 1]) / (np.sqrt(2.0) * K), rtol=1e-12)


@pytest.mark.points(1)
def test_certified_radius_is_valid_for_linear_classifiers(student, rng, ref):
    """For linear classifiers x -> W x with K = ||W||_2, the certified radius never exceeds the
    exact distance to the nearest decision boundary."""
    W = rng.standard_normal((5, 3))
    X = rng.uniform(-2, 2, size=(100, 3))
    logits = X @ W.T
    radii = as_float_array(student.certified_radius(logits, ref.sigma_max(W)))
    y = logits.argmax(axis=1)
    exact = np.full(100, np.inf)
    for i in range(5):
        a = W[y] - W[i]
        norm_a = np.sqrt(np.sum(a**2, axis=1))
        mask = y != i
        exact[mask] = np.minimum(exact[mask], (logits[mask, y[mask]] - logits[mask, i])
                                 / norm_a[mask])
    assert radii.shape == (100,)
    assert np.all(radii <= exact + 1e-12) and np.all(radii > 0)
