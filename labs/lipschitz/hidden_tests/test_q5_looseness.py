"""q5: the Jacobian lower bound and the question answered from the plot."""

import pytest

from labgrader.checks import assert_scalar_close

pytestmark = pytest.mark.exercise("q5")


@pytest.mark.points(2)
def test_jacobian_lower_bound(student, rng, ref):
    """jacobian_lower_bound(weights, X) = max over the rows x of X of ||J(x)||_2 (Jacobians by
    PyTorch's autodiff, norms by numpy's SVD)."""
    for dims in ((5, 3), (6, 16, 16, 4)):
        weights = ref.random_net(rng, dims)
        X = rng.standard_normal((15, dims[0]))
        expected = max(ref.sigma_max(ref.jacobian(weights, x)) for x in X)
        assert_scalar_close(student.jacobian_lower_bound(weights, X), expected, rtol=1e-6)


@pytest.mark.points(1)
def test_answer_q5(student):
    """answer_q5: the statement that your plot of the bound's looseness supports."""
    answer = student.value("answer_q5")
    assert isinstance(answer, str)
    assert answer.strip().upper() == "B"
