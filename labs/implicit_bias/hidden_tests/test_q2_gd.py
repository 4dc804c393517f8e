"""q2: gradient descent with recorded iterates."""

import numpy as np
import pytest

from labgrader.checks import assert_close

pytestmark = pytest.mark.exercise("q2")


@pytest.mark.points(2)
def test_gd_matches_reference(student, rng, ref, make_separable):
    """gd_logistic(X, y, step, record) returns w_t at every t in record (t updates from w = 0),
    on random separable data with random steps and irregular record times."""
    for n, d in ((30, 3), (50, 6)):
        X, y = make_separable(n, d)
        beta = np.linalg.norm(y[:, None] * X, 2) ** 2 / (4 * n)
        step = float(rng.uniform(0.3, 1.5)) / beta
        record = sorted(set(rng.integers(1, 400, size=6).tolist()) | {3})
        W = student.gd_logistic(X, y, step, record)
        assert_close(W, ref.gd(X, y, step, record), rtol=1e-9, atol=1e-12, name="iterates")


@pytest.mark.points(1)
def test_gd_start_and_single_record(student, rng, ref, make_separable):
    """record may start at 0 (the zero vector) and may hold a single time; the first step is
    step * mean(y_i x_i) / 2; non-separable data work too."""
    X, y = make_separable(20, 4)
    step = float(rng.uniform(0.1, 2.0))
    W = student.gd_logistic(X, y, step, [0, 1])
    assert_close(W, np.array([np.zeros(4), step * np.mean(y[:, None] * X, axis=0) / 2]),
                 rtol=1e-12, atol=1e-15, name="w_0 and w_1")
    y_noisy = y.copy()
    y_noisy[:5] *= -1
    assert_close(student.gd_logistic(X, y_noisy, step, [57]), ref.gd(X, y_noisy, step, [57]),
                 rtol=1e-9, atol=1e-12, name="single record time")
