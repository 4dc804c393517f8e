"""q4: the hard-margin SVM."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q4")


@pytest.mark.points(1)
def test_geometric_margin_random(student, make_svm, rng):
    """geometric_margin(w, b, X, y) = min_i y_i (w^T x_i + b) / ||w|| for random (w, b),
    including hyperplanes that misclassify points (negative margin), and it does not change
    when (w, b) is rescaled by a positive factor."""
    X, y = make_svm(n=25, d=3)
    for _ in range(3):
        w, b = rng.normal(size=3), float(rng.normal())
        expected = np.min(y * (X @ w + b)) / np.linalg.norm(w)
        assert_scalar_close(student.geometric_margin(w, b, X, y), expected, rtol=1e-10)
        scale = float(rng.uniform(2.0, 50.0))
        assert_scalar_close(student.geometric_margin(scale * w, scale * b, X, y), expected,
                            rtol=1e-10, name="rescaled")


@pytest.mark.points(1)
def test_svm_from_alpha(student, make_svm, ref):
    """svm_from_alpha(alpha, X, y) recovers (w, b) from the exact dual solution: w =
    sum_i alpha_i y_i x_i, b from the support vectors."""
    for d in (2, 4):
        X, y = make_svm(n=30, d=d)
        w_ref, b_ref, alpha = ref.cvxpy_svm(X, y)
        w, b = student.svm_from_alpha(alpha, X, y)
        assert_close(w, w_ref, rtol=1e-5, atol=1e-6 * np.linalg.norm(w_ref), name="w")
        assert_scalar_close(b, b_ref, rtol=1e-5, atol=1e-5, name="b")


@pytest.mark.points(2)
def test_svm_dual_solution(student, make_svm, ref):
    """svm_dual(X, y) solves the dual: w = sum_i alpha_i y_i x_i and the offset from its
    support vectors match the max-margin hyperplane (compared with a convex solver)."""
    for n, d in ((20, 2), (35, 3)):
        X, y = make_svm(n=n, d=d)
        w_ref, b_ref, _ = ref.cvxpy_svm(X, y)
        alpha = as_float_array(student.svm_dual(X, y), "alpha")
        assert alpha.shape == (n,), alpha.shape
        w = (alpha * y) @ X
        assert_close(w, w_ref, rtol=1e-4, atol=1e-4 * np.linalg.norm(w_ref), name="w")
        support = alpha > 1e-6 * alpha.max()
        b = float(np.mean(y[support] - X[support] @ w))
        assert_scalar_close(b, b_ref, rtol=1e-4, atol=1e-4, name="b")


@pytest.mark.points(1)
def test_svm_dual_kkt(student, make_svm, ref):
    """The dual solution satisfies the KKT conditions: alpha >= 0, sum_i alpha_i y_i = 0,
    alpha_i = 0 off the margin (complementary slackness), and sum_i alpha_i = ||w||^2."""
    X, y = make_svm(n=30, d=2)
    w_ref, b_ref, _ = ref.cvxpy_svm(X, y)
    alpha = as_float_array(student.svm_dual(X, y), "alpha")
    assert alpha.shape == (30,)
    scale = alpha.max()
    assert np.all(alpha >= -1e-8 * scale), alpha.min()
    assert abs(alpha @ y) <= 1e-6 * scale, alpha @ y
    slack = y * (X @ w_ref + b_ref) > 1 + 1e-3
    assert np.all(np.abs(alpha[slack]) <= 1e-5 * scale), alpha[slack].max()
    assert_scalar_close(alpha.sum(), w_ref @ w_ref, rtol=1e-4, name="sum alpha")
