"""q1: group soft thresholding, rows as groups."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q1")


@pytest.mark.points(2)
def test_group_soft_threshold_random_matrices(student, rng, ref):
    """group_soft_threshold(W, k) on random matrices whose rows have different norms: compare
    with (1 - k / ||W_i||)_+ W_i row by row."""
    for m in (1, 4, 9):
        W = rng.normal(size=(30, m)) * rng.uniform(0.05, 3.0, size=(30, 1))
        k = float(rng.uniform(0.3, 2.0))
        assert_close(student.group_soft_threshold(W, k), ref.group_prox(W, k), atol=1e-12)


@pytest.mark.points(1)
def test_group_soft_threshold_edge_cases(student, rng):
    """Edge cases: k = 0 returns W unchanged, all-zero rows stay zero without nan, and a
    threshold above every row norm gives exact zeros."""
    W = rng.normal(size=(10, 4))
    assert_close(student.group_soft_threshold(W, 0.0), W, atol=1e-15)
    W[[2, 7]] = 0.0
    out = as_float_array(student.group_soft_threshold(W, 0.5))
    assert out.shape == W.shape and np.all(np.isfinite(out))
    assert np.all(out[[2, 7]] == 0.0)
    big = float(np.max(np.linalg.norm(W, axis=1))) * (1.0 + rng.uniform(0.01, 3.0))
    out = as_float_array(student.group_soft_threshold(W, big))
    assert out.shape == W.shape and np.all(out == 0.0)


@pytest.mark.points(1)
def test_group_soft_threshold_is_the_prox(student, rng):
    """Each output row minimises ||x - v||^2 / 2 + k ||x||: it satisfies the optimality
    condition, and no nearby point has a smaller objective."""
    V = rng.normal(size=(12, 5)) * rng.uniform(0.1, 2.5, size=(12, 1))
    k = float(rng.uniform(0.5, 1.5))
    X = as_float_array(student.group_soft_threshold(V, k))
    assert X.shape == V.shape
    for v, x in zip(V, X):
        def obj(z, v=v):
            return 0.5 * np.sum((z - v) ** 2) + k * np.sqrt(np.sum(z**2))
        trials = x + rng.normal(scale=0.05, size=(200, 5))
        assert obj(x) <= min(obj(t) for t in trials) + 1e-12
        if np.sqrt(np.sum(v**2)) <= k:
            assert np.all(x == 0.0)
        else:
            norm_x = np.sqrt(np.sum(x**2))
            assert norm_x > 0 and np.max(np.abs(x - v + k * x / norm_x)) < 1e-10
