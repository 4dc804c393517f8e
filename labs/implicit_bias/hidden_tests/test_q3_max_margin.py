"""q3: the max-margin direction."""

import numpy as np
import pytest

from labgrader.checks import as_float_array, assert_close, assert_scalar_close

pytestmark = pytest.mark.exercise("q3")


@pytest.mark.points(2)
def test_max_margin_matches_qp(student, make_separable, ref):
    """max_margin_direction(X, y) is the unit vector of the hard-margin SVM without bias
    (compared with the primal quadratic program solved by cvxpy), on random separable data."""
    for n, d in ((40, 3), (80, 6), (12, 8)):
        X, y = make_separable(n, d)
        u = as_float_array(student.max_margin_direction(X, y), "u")
        assert_close(u, ref.max_margin(X, y), atol=1e-5, name="max-margin direction")


@pytest.mark.points(1)
def test_max_margin_properties(student, rng, make_separable, ref):
    """The result has unit norm, attains the largest normalised margin, does not change when X
    is scaled, and flips sign when every label flips."""
    X, y = make_separable(30, 4)
    u = as_float_array(student.max_margin_direction(X, y), "u")
    assert_scalar_close(np.linalg.norm(u), 1.0, rtol=1e-9, name="||u||")
    best = np.min(y * (X @ ref.max_margin(X, y)))
    assert_scalar_close(np.min(y * (X @ u)), best, rtol=1e-5, name="normalised margin")
    c = float(rng.uniform(3.0, 10.0))
    assert_close(student.max_margin_direction(c * X, y), u, atol=1e-5, name="scaled X")
    assert_close(student.max_margin_direction(X, -y), -u, atol=1e-5, name="flipped labels")
