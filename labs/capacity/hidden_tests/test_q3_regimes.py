"""q3: the best lambda and the three regimes."""

import numpy as np
import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q3")


def _curves(rng, m):
    """A non-decreasing training curve and a noisy U-shaped validation curve."""
    train = np.cumsum(rng.uniform(0.0, 0.2, size=m)) + 0.01
    t = np.linspace(-1, 1, m) - rng.uniform(-0.5, 0.5)
    val = 0.3 + 2.0 * t**2 + 0.05 * rng.uniform(size=m)
    return train, val


@pytest.mark.points(1)
def test_best_lam(student, rng):
    """best_lam(lams, val_mse) returns the lam at the smallest validation error, lams in any
    order, the first one on ties."""
    lams = rng.permutation(np.logspace(-5, 3, 9))
    val = rng.uniform(1.0, 2.0, size=9)
    assert_scalar_close(student.best_lam(lams, val), lams[np.argmin(val)], rtol=0)
    val[[2, 6]] = 0.5
    assert_scalar_close(student.best_lam(lams, val), lams[2], rtol=0, name="tie")


@pytest.mark.points(2)
def test_classify_regimes_random_curves(student, rng, ref):
    """classify_regimes on random U-shaped curves with random tolerances: one label per entry,
    "good" near the best validation error, "overfit" / "underfit" by the training error."""
    for m, tol in ((15, 0.1), (30, float(rng.uniform(0.02, 0.5))), (8, 0.25)):
        train, val = _curves(rng, m)
        labels = student.classify_regimes(train, val, tol=tol)
        assert isinstance(labels, list), type(labels)
        assert labels == ref.regimes(train, val, tol), (labels, ref.regimes(train, val, tol))
    train, val = _curves(rng, 20)
    assert student.classify_regimes(train, val) == ref.regimes(train, val, 0.2), "default tol"


@pytest.mark.points(1)
def test_classify_regimes_edge_cases(student, rng, ref):
    """Edge cases: tol = 0 keeps only the best entry "good"; a flat validation curve is "good"
    everywhere; a training error equal to the best one's (and not good) is "underfit"; the
    rule compares training errors, not positions, so unsorted curves work too."""
    train, val = _curves(rng, 12)
    labels = student.classify_regimes(train, val, tol=0.0)
    assert labels.count("good") == 1 and labels[int(np.argmin(val))] == "good", labels
    assert student.classify_regimes(train, np.full(12, 0.7), tol=0.0) == ["good"] * 12
    train = np.array([0.5, 0.5, 0.5, 0.2])
    val = np.array([3.0, 1.0, 2.0, 5.0])
    assert student.classify_regimes(train, val, tol=0.1) == ["underfit", "good", "underfit",
                                                             "overfit"]
    order = rng.permutation(12)
    train, val = _curves(rng, 12)
    assert student.classify_regimes(train[order], val[order], tol=0.15) == ref.regimes(
        train[order], val[order], 0.15)
