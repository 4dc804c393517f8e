"""q4: the smallest perturbation that flips a linear classifier."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close

pytestmark = pytest.mark.exercise("q4")


def _expected_delta(W, x, overshoot):
    """Closed form: project x onto the nearest decision boundary, times 1 + overshoot."""
    f = W @ x
    y = int(np.argmax(f))
    others = [i for i in range(len(W)) if i != y]
    dists = [(f[y] - f[i]) / np.linalg.norm(W[y] - W[i]) for i in others]
    i = others[int(np.argmin(dists))]
    a = W[y] - W[i]
    return -(1 + overshoot) * (f[y] - f[i]) / (a @ a) * a


@pytest.mark.points(2)
def test_min_flip_perturbation_closed_form(student, rng):
    """min_flip_perturbation(W, x, overshoot) moves x straight to the nearest decision
    boundary, stretched by 1 + overshoot (random classifiers, two overshoots)."""
    for overshoot in (1e-6, 0.05):
        for _ in range(4):
            W = rng.standard_normal((5, 4))
            x = rng.standard_normal(4)
            assert_close(student.min_flip_perturbation(W, x, overshoot=overshoot),
                         _expected_delta(W, x, overshoot), rtol=1e-9, atol=1e-12)


@pytest.mark.points(1)
def test_min_flip_perturbation_flips(student, rng):
    """x + delta is classified differently from x, and x + delta / (1 + overshoot) lies on a
    boundary where the old class ties with the new best one."""
    for _ in range(10):
        W = rng.standard_normal((4, 3))
        x = rng.standard_normal(3)
        delta = as_float_array(student.min_flip_perturbation(W, x))
        assert delta.shape == (3,)
        y = int(np.argmax(W @ x))
        assert int(np.argmax(W @ (x + delta))) != y
        on_boundary = W @ (x + delta / (1 + 1e-6))
        assert abs(on_boundary.max() - on_boundary[y]) < 1e-9


@pytest.mark.points(1)
def test_flip_inside_the_k_eps_ball(student, rng, ref):
    """For a three-class star classifier (rows at 120 degrees, rotated and scaled) and
    eps = margin / (1.2 K), your perturbation has norm below eps and changes the class."""
    for _ in range(3):
        theta = float(rng.uniform(0, 2 * np.pi))
        angles = theta + 2 * np.pi * np.arange(3) / 3
        W = float(rng.uniform(0.5, 3.0)) * np.column_stack([np.cos(angles), np.sin(angles)])
        x = rng.uniform(-2, 2, size=2)
        f = np.sort(W @ x)
        eps = (f[-1] - f[-2]) / (1.2 * ref.sigma_max(W))
        delta = as_float_array(student.min_flip_perturbation(W, x))
        assert np.sqrt(np.sum(delta**2)) < eps
        assert int(np.argmax(W @ (x + delta))) != int(np.argmax(W @ x))
