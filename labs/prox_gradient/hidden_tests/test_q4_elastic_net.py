"""q4: the elastic-net prox and solver."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q4")


def _prox_1d(v, step, alpha, rho):
    """Brute force: minimise the scalar prox objective numerically."""
    def objective(x):
        return 0.5 * (x - v) ** 2 + step * alpha * (rho * abs(x) + 0.5 * (1 - rho) * x**2)

    return minimize_scalar(objective, bounds=(-abs(v) - 1, abs(v) + 1), method="bounded",
                           options={"xatol": 1e-12}).x


@pytest.mark.points(2)
def test_prox_elastic_net_brute_force(student, rng):
    """prox_elastic_net(v, step, alpha, l1_ratio) minimises
    (x - v)^2 / 2 + step * penalty(x) entry by entry (checked by numerical minimisation)."""
    for _ in range(2):
        v = rng.normal(scale=2.0, size=8)
        step, alpha, rho = (float(rng.uniform(0.2, 2.0)), float(rng.uniform(0.1, 1.5)),
                            float(rng.uniform(0.1, 0.9)))
        expected = np.array([_prox_1d(vi, step, alpha, rho) for vi in v])
        assert_close(student.prox_elastic_net(v, step, alpha, rho), expected, atol=1e-6)


@pytest.mark.points(1)
def test_prox_elastic_net_limits(student, rng, ref):
    """l1_ratio = 1 gives soft thresholding; l1_ratio = 0 gives the ridge shrinkage
    v / (1 + step * alpha)."""
    v = rng.normal(size=(4, 5))
    step, alpha = float(rng.uniform(0.2, 2.0)), float(rng.uniform(0.1, 1.0))
    assert_close(student.prox_elastic_net(v, step, alpha, 1.0),
                 ref.soft_threshold(v, step * alpha), atol=1e-12)
    assert_close(student.prox_elastic_net(v, step, alpha, 0.0), v / (1 + step * alpha),
                 atol=1e-12)


@pytest.mark.points(2)
def test_elastic_net_matches_sklearn(student, make_problem, rng, ref):
    """elastic_net(X, y, alpha, l1_ratio) reaches scikit-learn's ElasticNet solution
    (same objective, no intercept)."""
    X, y, alpha_max = make_problem(n=80, d=30)
    for rho in (0.3, 0.8):
        alpha = float(rng.uniform(0.05, 0.3)) * alpha_max
        w = student.elastic_net(X, y, alpha, rho, n_iter=1500)
        assert_close(w, ref.sklearn_enet(X, y, alpha, rho), rtol=1e-5, atol=1e-7)
