"""q1: soft thresholding."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q1")


@pytest.mark.points(2)
def test_soft_threshold_random_vectors(student, rng, ref):
    """soft_threshold(v, t) on random vectors and thresholds: compare with the definition
    sign(v) max(|v| - t, 0) entry by entry."""
    for _ in range(3):
        v = rng.normal(scale=2.0, size=200)
        t = float(rng.uniform(0.1, 2.0))
        assert_close(student.soft_threshold(v, t), ref.soft_threshold(v, t), atol=1e-12)


@pytest.mark.points(1)
def test_soft_threshold_edge_cases(student, rng):
    """Edge cases: t = 0 returns v unchanged, v = 0 stays 0, and a threshold larger than
    every |v_i| gives exact zeros."""
    v = rng.normal(size=50)
    assert_close(student.soft_threshold(v, 0.0), v, atol=0)
    assert_close(student.soft_threshold(np.zeros(7), 0.3), np.zeros(7), atol=0)
    big = float(np.max(np.abs(v))) * (1.0 + rng.uniform(0.01, 3.0))
    out = np.asarray(student.soft_threshold(v, big), dtype=float)
    assert out.shape == v.shape and np.all(out == 0.0)


@pytest.mark.points(1)
def test_soft_threshold_matrix_input(student, rng, ref):
    """soft_threshold works entry by entry on a 2-D array and keeps its shape."""
    v = rng.normal(size=(6, 9))
    t = float(rng.uniform(0.2, 1.0))
    assert_close(student.soft_threshold(v, t), ref.soft_threshold(v, t), atol=1e-12)
