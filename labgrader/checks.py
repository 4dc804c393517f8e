"""Assertions for hidden tests that a wrong shape, dtype or NaN cannot slip through.

``numpy.testing.assert_allclose`` broadcasts: a scalar ``0`` "equals" an array
of zeros. :func:`assert_close` first checks that the student's value is a real,
finite array of exactly the expected shape, then compares. Failure messages
hold numbers; the grader shows them to instructors only.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(value, name="result"):
    """``value`` as a float array; an :class:`AssertionError` if it is not numeric."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise AssertionError(f"{name} should be numeric, got {type(value).__name__}")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{name} is not a numeric array: {exc}") from None
    return array


def assert_close(value, expected, *, rtol=1e-7, atol=1e-10, name="result"):
    """``value`` has ``expected``'s shape, is finite, and is close to it elementwise."""
    expected = np.asarray(expected, dtype=float)
    array = as_float_array(value, name)
    if array.shape != expected.shape:
        raise AssertionError(f"{name} has shape {array.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(array)):
        raise AssertionError(f"{name} contains NaN or infinity")
    np.testing.assert_allclose(array, expected, rtol=rtol, atol=atol, err_msg=name)


def assert_scalar_close(value, expected, *, rtol=1e-7, atol=1e-10, name="result"):
    """``value`` is one real, finite number close to ``expected``."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AssertionError(f"{name} should be a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise AssertionError(f"{name} is not finite")
    np.testing.assert_allclose(float(value), float(expected), rtol=rtol, atol=atol, err_msg=name)
