"""Input checks shared by every public function of :mod:`normlib`.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
argument, says what was wrong and how to fix it. Functions that accept both
numpy arrays and torch tensors use :func:`is_torch` to keep "numpy in, numpy
out; torch in, torch out".
"""

from __future__ import annotations

import numbers

import numpy as np

try:  # torch is a dependency, but numpy-only functions must not pay for it
    import torch
except ImportError:  # pragma: no cover - torch is pinned in requirements.txt
    torch = None


def is_torch(x) -> bool:
    """True when ``x`` is a ``torch.Tensor``."""
    return torch is not None and isinstance(x, torch.Tensor)


def _all_finite(arr) -> bool:
    """True when no entry is NaN or infinite.

    A finite sum implies finite entries (NaN and inf propagate through a sum), so
    the common case costs one reduction instead of an elementwise mask; only when
    the sum is not finite (overflow, or a genuine NaN/inf) do we look closer.
    """
    if is_torch(arr):
        return bool(torch.isfinite(arr.sum())) or bool(torch.isfinite(arr).all())
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    return bool(np.isfinite(total)) or bool(np.isfinite(arr).all())


def check_array(x, name, *, ndim=None, allow_torch=False, min_rows=None, dtype=float):
    """Return ``x`` as a finite floating array (or tensor, if allowed).

    ``ndim`` may be an int or a tuple of allowed dimensionalities.
    """
    if is_torch(x):
        if not allow_torch:
            raise TypeError(
                f"{name} is a torch.Tensor but this function works on numpy arrays; "
                f"pass {name}.detach().cpu().numpy()."
            )
        arr = x if x.is_floating_point() else x.to(torch.get_default_dtype())
        finite = _all_finite(arr.detach())
        shape = tuple(arr.shape)
    else:
        if isinstance(x, (str, bytes, dict, set)) or x is None:
            raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}.")
        try:
            arr = np.asarray(x, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be an array of real numbers (could not convert: {exc})."
            ) from None
        finite = _all_finite(arr)
        shape = arr.shape
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if len(shape) not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got shape {shape}.")
    if min_rows is not None and (len(shape) == 0 or shape[0] < min_rows):
        raise ValueError(f"{name} needs at least {min_rows} rows, got shape {shape}.")
    if not finite:
        raise ValueError(
            f"{name} contains NaN or infinite values; remove or impute them first."
        )
    return arr


def check_scalar(value, name, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False):
    """Return ``value`` as a Python float (or int) inside the given bounds."""
    if is_torch(value) and value.numel() == 1:
        value = value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}, got {value!r} ({type(value).__name__}).")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value!r}.")
    if high is not None and (value > high or (high_open and value == high)):
        op = "<" if high_open else "<="
        raise ValueError(f"{name} must be {op} {high}, got {value!r}.")
    return int(value) if integer else float(value)


def check_Xy(X, y, *, y_name="y"):
    """Check a design matrix ``X`` (n, d) and a target ``y`` (n,) of matching length."""
    X = check_array(X, "X", ndim=2, min_rows=1)
    y = check_array(y, y_name, ndim=1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but {y_name} has {y.shape[0]} entries; "
            "they must describe the same samples."
        )
    return X, y


def check_rng(seed):
    """Return a ``numpy.random.Generator`` from ``None``, an int or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}.")
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed must be None, a non-negative int or a numpy.random.Generator, got {seed!r}."
    )
