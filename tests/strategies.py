"""Hypothesis strategies shared by the test files (minitorch style: one module).

Import what you need, e.g. ``from strategies import vectors, matrices`` (pytest's
default ``prepend`` import mode puts ``tests/`` on ``sys.path``).
All floats are finite float64 without subnormals, in a moderate range, so that
properties can be checked with tolerances relative to the data's scale.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def floats(min_value=-100.0, max_value=100.0):
    """Finite float64 numbers in ``[min_value, max_value]`` without subnormals."""
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False,
                     allow_infinity=False, allow_subnormal=False, width=64)


def nonneg(max_value=10.0):
    """Floats in ``[0, max_value]``: thresholds, radii, strengths."""
    return floats(0.0, max_value)


def positive(min_value=1e-3, max_value=10.0):
    """Floats in ``[min_value, max_value]``, ``min_value > 0``: steps, radii."""
    return floats(min_value, max_value)


def arrays(*, min_dims=1, max_dims=2, min_side=1, max_side=8, elements=None):
    """float64 arrays of 1 to ``max_dims`` dimensions, each side in ``[min_side, max_side]``."""
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                              max_side=max_side)
    return hnp.arrays(np.float64, shapes, elements=elements or floats())


def vectors(min_size=1, max_size=20, elements=None):
    """1-D float64 arrays."""
    return hnp.arrays(np.float64, st.integers(min_size, max_size), elements=elements or floats())


def matrices(min_rows=1, max_rows=8, min_cols=1, max_cols=8, elements=None):
    """2-D float64 arrays."""
    shape = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    return hnp.arrays(np.float64, shape, elements=elements or floats())


@st.composite
def same_shape_pairs(draw, *, min_dims=1, max_dims=2, max_side=8):
    """Two arrays of one shape, e.g. to test non-expansiveness ``||P(u) - P(v)|| <= ||u - v||``."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side))
    u = draw(hnp.arrays(np.float64, shape, elements=floats()))
    v = draw(hnp.arrays(np.float64, shape, elements=floats()))
    return u, v


@st.composite
def grouped_vectors(draw, *, max_groups=5, max_group_size=5):
    """A vector ``w`` and integer labels ``groups`` (shuffled, not contiguous, arbitrary values)."""
    sizes = draw(st.lists(st.integers(1, max_group_size), min_size=1, max_size=max_groups))
    labels = draw(st.lists(st.integers(-50, 50), min_size=len(sizes), max_size=len(sizes),
                           unique=True))
    groups = np.repeat(np.array(labels), sizes)
    perm = draw(st.permutations(range(groups.size)))
    groups = groups[np.array(perm)]
    w = draw(hnp.arrays(np.float64, groups.size, elements=floats()))
    return w, groups


@st.composite
def regression_problems(draw, *, max_n=30, max_d=15):
    """A Gaussian design ``X`` (n, d) and a target ``y`` from a drawn seed.

    Drawing a seed instead of every entry keeps the examples fast and well spread.
    """
    n = draw(st.integers(2, max_n))
    d = draw(st.integers(1, max_d))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + rng.standard_normal(n)
    return X, y
