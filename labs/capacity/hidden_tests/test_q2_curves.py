"""q2: the mean squared error and the training / validation curves."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(1)
def test_mse_random(student, rng, ref):
    """mse(y, y_pred) = mean of the squared differences, on random vectors of several lengths,
    and 0 for a perfect prediction."""
    for m in (1, 7, 300):
        y, y_pred = rng.normal(size=m), rng.normal(size=m)
        assert_scalar_close(student.mse(y, y_pred), ref.mse(y, y_pred), rtol=1e-12)
    assert_scalar_close(student.mse(y, y), 0.0, atol=0)


@pytest.mark.points(2)
def test_sweep_errors_random(student, make_problem, rng, ref):
    """sweep_errors returns (train_mse, val_mse) in the order of lams: ridge fitted on the
    training set only, evaluated on each set; the training curve is non-decreasing in lam."""
    X, y = make_problem(n=60, d=12, noise=1.0)
    X_train, y_train, X_val, y_val = X[:25], y[:25], X[25:], y[25:]
    lams = rng.permutation(10.0 ** rng.uniform(-2, 3, size=7))
    W = [ref.ridge_primal(X_train, y_train, lam) for lam in lams]
    train, val = student.sweep_errors(X_train, y_train, X_val, y_val, lams)
    assert_close(train, [ref.mse(y_train, X_train @ w) for w in W], rtol=1e-8, name="train_mse")
    assert_close(val, [ref.mse(y_val, X_val @ w) for w in W], rtol=1e-8, name="val_mse")
    order = np.argsort(lams)
    train = as_float_array(train)[order]
    assert np.all(np.diff(train) >= -1e-10 * train[1:])
