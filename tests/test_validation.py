"""The shared input checks: the fast finite test agrees with the elementwise one."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from normlib._validation import _all_finite, check_array, check_rng, check_scalar

special = st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e308, 0.0, 1.0])


@given(arrays(np.float64, st.integers(0, 12), elements=st.one_of(st.floats(), special)))
def test_all_finite_matches_elementwise(a):
    expected = bool(np.isfinite(a).all())
    assert _all_finite(a) == expected
    assert _all_finite(torch.from_numpy(a)) == expected


def test_overflowing_sum_is_still_finite():
    assert _all_finite(np.full(4, 1e308))


def test_check_array_messages():
    with pytest.raises(ValueError, match="W contains NaN"):
        check_array([1.0, np.nan], "W")
    with pytest.raises(ValueError, match="X must be 2-D"):
        check_array(np.zeros(3), "X", ndim=2)
    with pytest.raises(TypeError, match="v is a torch.Tensor"):
        check_array(torch.zeros(2), "v")
    with pytest.raises(TypeError, match="array of real numbers"):
        check_array(["a", "b"], "v")


def test_check_scalar_and_rng_messages():
    with pytest.raises(ValueError, match="lam must be >= 0"):
        check_scalar(-1.0, "lam", low=0)
    with pytest.raises(TypeError, match="n_iter must be an integer"):
        check_scalar(2.5, "n_iter", integer=True)
    with pytest.raises(ValueError, match="step must be finite"):
        check_scalar(float("inf"), "step")
    with pytest.raises(TypeError, match="seed must be None"):
        check_rng("zero")
    assert check_rng(3).random() == np.random.default_rng(3).random()
