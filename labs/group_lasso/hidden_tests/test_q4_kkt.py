"""q4: KKT ratios and the KKT violation."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q4")


def _violation(W, X, Y, lam):
    """Reference: the largest scaled violation of the subgradient conditions over the rows."""
    G = X.T @ (Y - X @ W) / X.shape[0]
    worst = 0.0
    for g, w in zip(G, W):
        norm_w = np.sqrt(np.sum(w**2))
        if norm_w == 0:
            worst = max(worst, np.sqrt(np.sum(g**2)) / lam - 1.0)
        else:
            worst = max(worst, np.sqrt(np.sum((g - lam * w / norm_w) ** 2)) / lam)
    return float(worst)


@pytest.mark.points(1)
def test_kkt_ratios_random(student, make_problem, rng):
    """kkt_ratios(W, X, Y, lam) = ||(X^T (Y - XW))_i||_2 / (n lam) for every row, at random W."""
    X, Y, lam_max = make_problem(n=40, d=10, m=3)
    W = rng.normal(scale=0.3, size=(10, 3))
    lam = float(rng.uniform(0.05, 0.5)) * lam_max
    expected = np.linalg.norm(X.T @ (Y - X @ W), axis=1) / (40 * lam)
    assert_close(student.kkt_ratios(W, X, Y, lam), expected, rtol=1e-10)


@pytest.mark.points(2)
def test_kkt_violation_random(student, make_problem, rng):
    """kkt_violation(W, X, Y, lam) at random W with some zero rows: max over rows of
    (rho_i - 1)_+ for zero rows and ||G_i - lam W_i / ||W_i|| || / lam for the others."""
    X, Y, lam_max = make_problem(n=50, d=12, m=3)
    for scale, lam_frac in ((0.01, 0.3), (0.5, 0.1), (0.0, 0.2)):
        W = scale * rng.normal(size=(12, 3))
        W[rng.choice(12, size=5, replace=False)] = 0.0
        lam = lam_frac * lam_max
        assert_scalar_close(student.kkt_violation(W, X, Y, lam), _violation(W, X, Y, lam),
                            rtol=1e-9, atol=1e-12)


@pytest.mark.points(1)
def test_kkt_at_the_solution(student, make_problem, ref):
    """At the MultiTaskLasso solution the violation is (numerically) zero, active rows have
    ratio 1 and zero rows at most 1; at W = 0 below lam_max the violation is positive."""
    X, Y, lam_max = make_problem(n=80, d=15, m=3)
    lam = 0.2 * lam_max
    W = ref.sklearn(X, Y, lam)
    assert_scalar_close(student.kkt_violation(W, X, Y, lam), 0.0, atol=1e-6)
    ratios = as_float_array(student.kkt_ratios(W, X, Y, lam))
    active = np.any(W != 0, axis=1)
    assert ratios.shape == (15,)
    assert np.all(np.abs(ratios[active] - 1) < 1e-6) and np.all(ratios[~active] <= 1 + 1e-6)
    assert_scalar_close(student.kkt_violation(np.zeros((15, 3)), X, Y, lam),
                        _violation(np.zeros((15, 3)), X, Y, lam), rtol=1e-9)
    assert float(student.kkt_violation(np.zeros((15, 3)), X, Y, lam)) > 1.0
