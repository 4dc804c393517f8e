"""q1: the logistic loss and its gradient."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q1")


def _unpack(result):
    assert isinstance(result, (list, tuple)) and len(result) == 2, "return (loss, grad)"
    return float(result[0]), as_float_array(result[1], "grad")


@pytest.mark.points(1)
def test_loss_random_problems(student, rng, ref):
    """The loss is the mean of log(1 + exp(-y_i x_i^T w)), on random data, labels and w."""
    for n, d in ((30, 3), (7, 10)):
        X = rng.standard_normal((n, d))
        y = rng.choice([-1.0, 1.0], size=n)
        w = rng.standard_normal(d)
        loss, _ = _unpack(student.logistic_loss_grad(X, y, w))
        assert_scalar_close(loss, ref.loss_grad(X, y, w)[0], rtol=1e-12, name="loss")


@pytest.mark.points(1)
def test_gradient_random_problems(student, rng, ref):
    """The gradient is -(1/n) sum_i sigma(-y_i x_i^T w) y_i x_i, on random data, and agrees
    with central finite differences of the loss."""
    X = rng.standard_normal((25, 5))
    y = rng.choice([-1.0, 1.0], size=25)
    w = rng.standard_normal(5)
    _, grad = _unpack(student.logistic_loss_grad(X, y, w))
    assert_close(grad, ref.loss_grad(X, y, w)[1], rtol=1e-10, atol=1e-14, name="grad")
    h = 1e-6
    fd = np.array([(ref.loss_grad(X, y, w + h * e)[0] - ref.loss_grad(X, y, w - h * e)[0])
                   / (2 * h) for e in np.eye(5)])
    assert_close(grad, fd, atol=1e-7, name="grad vs finite differences")


@pytest.mark.points(1)
def test_huge_margins(student, rng):
    """For huge margins of either sign the loss and gradient stay finite and accurate: the loss
    of a point with margin -m is about m, with margin +m about exp(-m)."""
    x = rng.uniform(0.5, 2.0, size=3)
    m = 800.0
    w = m * x / (x @ x)                                  # margin x^T w = m
    X = np.array([x, x])
    loss, grad = _unpack(student.logistic_loss_grad(X, np.array([1.0, -1.0]), w))
    assert_scalar_close(loss, m / 2, rtol=1e-12, name="loss with margins +m and -m")
    assert_close(grad, x / 2, rtol=1e-12, name="grad with margins +m and -m")
    loss_pos, _ = _unpack(student.logistic_loss_grad(X[:1], np.array([1.0]), w / 20))
    assert_scalar_close(loss_pos, np.exp(-m / 20), rtol=1e-9, name="loss with margin +40")
