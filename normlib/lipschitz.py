r"""Spectral norms, Lipschitz bounds of networks and certified robustness radii.

A linear layer :math:`x \mapsto Wx` stretches a vector by at most its spectral
norm :math:`\|W\|_2 = \sigma_1(W)`, the largest singular value. Composing
layers multiplies these factors, so a network of linear layers and 1-Lipschitz
activations is :math:`\prod_l \|W_l\|_2`-Lipschitz. A prediction whose logit
margin is large compared with that constant cannot change inside a ball: that
ball's radius is the *certified radius*.

This module offers

* :func:`power_iteration` and :func:`operator_norm` / :func:`conv_operator_norm`
  (the top singular value of a matrix, or of any linear map given as a function,
  such as a convolution through its own forward pass and its transpose);
* :func:`conv_fft_upper_bound`, a guaranteed upper bound for convolutions;
* :func:`lipschitz_upper_bound` for ``nn.Sequential`` networks;
* :func:`certified_radius` and :func:`certified_radius_binary`;
* :func:`spectral_sigma` and :class:`SpectralPenalty`, a differentiable
  spectral norm estimate to put in a training loss;
* :class:`SpectralNormalization` / :func:`register_spectral_normalization`,
  a ``torch.nn.utils.parametrize`` parametrization :math:`W \mapsto W / \hat\sigma`.

See the book, section 1.7 *Spectral norm, Lipschitz bounds, certified
robustness* (``book/principles/spectral_lipschitz.ipynb``).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from normlib._validation import check_array, check_rng, check_scalar, is_torch

__all__ = [
    "PowerIterationResult",
    "power_iteration",
    "operator_norm",
    "conv_operator_norm",
    "conv_fft_upper_bound",
    "lipschitz_upper_bound",
    "layer_lipschitz_constants",
    "certified_radius",
    "certified_radius_binary",
    "spectral_sigma",
    "SpectralPenalty",
    "SpectralNormalization",
    "register_spectral_normalization",
]


class PowerIterationResult(NamedTuple):
    """Outcome of a power iteration.

    ``sigma`` is the estimate of the top singular value (a float for numpy
    input, a 0-d tensor for torch input); ``u`` and ``v`` are the unit left
    and right singular vector estimates with :math:`u^\\top W v = \\sigma`;
    ``n_iter`` counts the iterations run; ``converged`` says whether the
    tolerance stop was reached before ``n_iter`` ran out.
    """

    sigma: Any
    u: Any
    v: Any
    n_iter: int
    converged: bool


# --------------------------------------------------------------------------- #
# power iteration
# --------------------------------------------------------------------------- #
def _norm(x):
    return torch.linalg.vector_norm(x) if is_torch(x) else float(np.linalg.norm(x))


def _power_loop(matvec, rmatvec, v, n_iter, tol):
    r"""The shared loop: :math:`u \leftarrow Av/\|Av\|`, :math:`v \leftarrow A^\top u/\|A^\top u\|`.

    ``sigma = ||A^T u|| = u^T A v`` after each step (the same order of updates as
    ``torch.nn.utils.parametrizations.spectral_norm``).
    """
    sigma, u, converged, k = 0.0, None, False, 0
    for k in range(1, n_iter + 1):  # noqa: B007 - k is reported
        u = matvec(v)
        u_norm = _norm(u)
        if u_norm == 0:  # v lies in the null space: A v = 0
            return 0.0 * u_norm, u, v, k, True
        u = u / u_norm
        w = rmatvec(u)
        sigma_new = _norm(w)
        v = w / sigma_new
        change = abs(float(sigma_new) - float(sigma))
        sigma = sigma_new
        if change <= tol * float(sigma):
            converged = True
            break
    return sigma, u, v, k, converged


def _check_iter_args(n_iter, tol):
    n_iter = check_scalar(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar(tol, "tol", low=0.0)
    return n_iter, tol


def _start_vector(shape, seed, like):
    """A seeded random unit vector, numpy or torch like ``like``."""
    v = check_rng(seed).standard_normal(shape)
    v /= np.linalg.norm(v)
    if is_torch(like):
        return torch.as_tensor(v, dtype=like.dtype, device=like.device)
    return v


def power_iteration(W, n_iter=100, tol=1e-6, seed=None, u0=None):
    r"""Top singular value and vectors of a matrix by power iteration.

    Starting from a unit vector (random, or :math:`W^\top u_0` normalised for a
    warm start), each iteration applies :math:`W` and :math:`W^\top`:

    .. math::

        u_k = \frac{W v_{k-1}}{\|W v_{k-1}\|_2}, \qquad
        v_k = \frac{W^\top u_k}{\|W^\top u_k\|_2}, \qquad
        \hat\sigma_k = \|W^\top u_k\|_2 = u_k^\top W v_k ,

    and stops when :math:`|\hat\sigma_k - \hat\sigma_{k-1}| \le
    \mathrm{tol}\cdot\hat\sigma_k` or after ``n_iter`` iterations.

    **Accuracy.** :math:`\hat\sigma_k \le \sigma_1` always (it is the length of
    :math:`W^\top` applied to a unit vector): power iteration *underestimates*
    the spectral norm. With a gap :math:`\sigma_2 < \sigma_1`, the angle between
    :math:`v_k` and the top right singular vector shrinks like
    :math:`(\sigma_2/\sigma_1)^{2k}` and the relative error of the estimate like
    its square,

    .. math::

        \frac{\sigma_1 - \hat\sigma_k}{\sigma_1} = O\!\left(
        (\sigma_2/\sigma_1)^{4k}\right),

    so the tolerance stop can fire early when the gap is small (a small change
    per step does not mean a small error). A warm start from the previous
    training step's ``u`` needs only a few iterations. To *certify* a bound,
    use the exact norm (``torch.linalg.matrix_norm(W, ord=2)``) or an upper
    bound such as :func:`conv_fft_upper_bound`.

    Parameters
    ----------
    W : array of shape (m, n), numpy or torch
    n_iter : int, maximum number of iterations.
    tol : float, relative change of :math:`\hat\sigma` at which to stop (0: run
        all ``n_iter``).
    seed : int, Generator or None, for the random start (ignored with ``u0``).
    u0 : array of shape (m,), optional warm start (a previous left vector).

    Returns
    -------
    PowerIterationResult
        ``(sigma, u, v, n_iter, converged)``; numpy in, numpy out; torch in,
        torch out (no gradient is recorded: see :func:`spectral_sigma`).

    See the book, section 1.7 *Spectral norm, Lipschitz bounds, certified
    robustness* (``book/principles/spectral_lipschitz.ipynb``).
    """
    W = _check_matrix(W)
    n_iter, tol = _check_iter_args(n_iter, tol)
    m, n = W.shape
    if m == 0 or n == 0:
        raise ValueError(f"W must have at least one row and one column, got {tuple(W.shape)}.")
    with torch.no_grad():
        if is_torch(W):
            W = W.detach()
        if u0 is None:
            v = _start_vector(n, seed, W)
        else:
            u0 = _check_vector(u0, "u0", m, W)
            v = W.T @ u0
            v_norm = _norm(v)
            if v_norm == 0:
                raise ValueError(
                    "u0 is orthogonal to the column space of W (W^T u0 = 0); "
                    "pass another u0 or u0=None for a random start."
                )
            v = v / v_norm
        sigma, u, v, k, converged = _power_loop(lambda x: W @ x, lambda x: W.T @ x, v, n_iter, tol)
    if not is_torch(W):
        sigma = float(sigma)
    return PowerIterationResult(sigma, u, v, k, converged)


def _check_matrix(W):
    """check_array for a 2-D W, with a fast path for large float tensors.

    A finite sum implies that every entry is finite (a NaN or an infinity would
    propagate), and it costs a fraction of an elementwise ``isfinite``; any other
    case, including a sum that overflowed, gets the full check and its message.
    """
    if is_torch(W) and W.ndim == 2 and W.is_floating_point() and bool(
            torch.isfinite(W.detach().sum())):
        return W
    return check_array(W, "W", ndim=2, allow_torch=True)


def _check_vector(x, name, size, like):
    x = check_array(x, name, ndim=1, allow_torch=True)
    if x.shape[0] != size:
        raise ValueError(f"{name} must have {size} entries (the rows of W), got {x.shape[0]}.")
    if is_torch(like):
        return torch.as_tensor(x, dtype=like.dtype, device=like.device).detach()
    return np.asarray(x.detach().cpu().numpy() if is_torch(x) else x, dtype=float)


def operator_norm(fn, input_shape, n_iter=100, tol=1e-6, seed=None, v0=None,
                  dtype=torch.float64):
    r"""Spectral norm of a *linear* map given as a torch function, by power iteration.

    The transpose is never formed: :math:`A^\top u` is the vector-Jacobian
    product of ``fn`` (``torch.func.vjp``), which for a linear map is exact and
    independent of the point. The iteration is that of :func:`power_iteration`,

    .. math::

        u_k = \frac{A v_{k-1}}{\|A v_{k-1}\|}, \quad
        v_k = \frac{A^\top u_k}{\|A^\top u_k\|}, \quad
        \hat\sigma_k = \|A^\top u_k\| \le \|A\|_2 .

    ``fn`` must be linear (no bias: for an affine layer pass its linear part)
    and accept tensors of ``input_shape`` and ``dtype`` (float64 by default).
    Returns a :class:`PowerIterationResult` whose ``v`` has ``input_shape`` and
    ``u`` has the output's shape.

    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable linear map, got {type(fn).__name__}.")
    input_shape = _check_shape(input_shape, "input_shape")
    n_iter, tol = _check_iter_args(n_iter, tol)
    x0 = torch.zeros(input_shape, dtype=dtype)
    with torch.no_grad():
        y0, vjp_fn = torch.func.vjp(fn, x0)
        if v0 is None:
            v = _start_vector(int(np.prod(input_shape)), seed, x0).reshape(input_shape)
        else:
            v = torch.as_tensor(check_array(v0, "v0", allow_torch=True), dtype=dtype)
            if tuple(v.shape) != input_shape:
                raise ValueError(f"v0 must have shape {input_shape}, got {tuple(v.shape)}.")
            v = v / torch.linalg.vector_norm(v)
        sigma, u, v, k, converged = _power_loop(fn, lambda x: vjp_fn(x)[0], v, n_iter, tol)
    return PowerIterationResult(torch.as_tensor(sigma, dtype=dtype), u, v, k, converged)


def _check_shape(shape, name):
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(
            f"{name} must be a tuple of ints such as (3, 32, 32), got {shape!r}."
        ) from None
    if not shape or min(shape) < 1:
        raise ValueError(f"{name} must be a non-empty tuple of positive ints, got {shape}.")
    return shape


def _conv_input_shape(conv, input_shape):
    shape = _check_shape(input_shape, "input_shape")
    if len(shape) == 4:
        if shape[0] != 1:
            raise ValueError(
                f"input_shape is the shape of ONE input, (C, H, W) or (1, C, H, W); got {shape}."
            )
        shape = shape[1:]
    if len(shape) != 3 or shape[0] != conv.in_channels:
        raise ValueError(
            f"input_shape must be (C, H, W) with C = conv.in_channels = {conv.in_channels}, "
            f"got {tuple(input_shape)}."
        )
    return (1, *shape)


def _conv_linear_map(conv):
    """The convolution without its bias, in float64, detached from the weights."""
    weight = conv.weight.detach().to(torch.float64)
    return lambda x: conv._conv_forward(x, weight, None)


def conv_operator_norm(conv, input_shape, n_iter=200, tol=1e-8, seed=None, v0=None):
    r"""Operator norm of a ``Conv2d`` layer on inputs of a given shape.

    The convolution (without bias) is a linear map
    :math:`A: \mathbb{R}^{C\times H\times W} \to \mathbb{R}^{C'\times H'\times W'}`.
    Its spectral norm depends on the input size, the padding and the stride,
    and is **not** the spectral norm of the kernel reshaped to a
    :math:`C' \times (C k_h k_w)` matrix (that matrix ignores how the sliding
    window reuses each input pixel; the two can differ by a factor of
    :math:`\sqrt{k_h k_w}` in either direction). Power iteration runs on the
    layer's own forward pass and its transpose (the vector-Jacobian product,
    i.e. ``conv_transpose2d``):

    .. math::

        \hat\sigma_k = \|A^\top u_k\|_2 \le \|A\|_2, \qquad
        u_k = \frac{A v_{k-1}}{\|A v_{k-1}\|}, \;
        v_k = \frac{A^\top u_k}{\|A^\top u_k\|} .

    ``input_shape`` is ``(C, H, W)`` (or ``(1, C, H, W)``). All padding modes,
    strides, dilations and groups are handled, since the layer computes its own
    forward pass. The estimate is a lower bound that converges to the norm; for
    a guaranteed upper bound see :func:`conv_fft_upper_bound`.

    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be a torch.nn.Conv2d, got {type(conv).__name__}.")
    shape = _conv_input_shape(conv, input_shape)
    return operator_norm(_conv_linear_map(conv), shape, n_iter=n_iter, tol=tol, seed=seed, v0=v0)


def conv_fft_upper_bound(conv, input_shape):
    r"""A guaranteed upper bound on a ``Conv2d`` layer's operator norm (Sedghi et al. 2019).

    A *circular* convolution on an :math:`N \times N` grid is block-diagonalised
    by the 2-D discrete Fourier transform: its singular values are those of the
    :math:`C' \times C` matrices :math:`\hat K(f)` of the kernel's DFT at each
    frequency, so

    .. math::

        \|A_{\mathrm{circ}}\|_2 = \max_{f} \|\hat K(f)\|_2 .

    A zero-padded convolution is a restriction of a circular one on a grid
    large enough to hold the padded input (zero embedding and cropping do not
    increase norms), and a strided one keeps a subset of the outputs, so this
    maximum bounds their norm from above; with circular padding and stride 1 it
    is exact. ``reflect`` and ``replicate`` padding repeat input pixels and are
    not covered (``ValueError``: use :func:`conv_operator_norm`).

    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be a torch.nn.Conv2d, got {type(conv).__name__}.")
    if conv.padding_mode not in ("zeros", "circular"):
        raise ValueError(
            f"conv_fft_upper_bound does not cover padding_mode={conv.padding_mode!r}; "
            "use conv_operator_norm instead."
        )
    _, _, H, W = _conv_input_shape(conv, input_shape)
    weight = conv.weight.detach().to(torch.float64)
    c_out, c_in_g, kh, kw = weight.shape
    dh, dw = conv.dilation
    # the dilated kernel, then the full (block-diagonal over groups) channel matrix
    kh_d, kw_d = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    dilated = weight.new_zeros(c_out, c_in_g, kh_d, kw_d)
    dilated[:, :, ::dh, ::dw] = weight
    full = weight.new_zeros(c_out, conv.in_channels, kh_d, kw_d)
    g_out = c_out // conv.groups
    for g in range(conv.groups):
        rows, cols = slice(g * g_out, (g + 1) * g_out), slice(g * c_in_g, (g + 1) * c_in_g)
        full[rows, cols] = dilated[rows]
    if conv.padding_mode == "circular":
        pads = (0, 0) if isinstance(conv.padding, str) else conv.padding  # "same" pads k - 1
        if any(2 * p > k - 1 for p, k in zip(pads, (kh_d, kw_d), strict=True)):
            raise ValueError(
                "conv_fft_upper_bound covers circular padding only up to (k - 1) / 2 per side "
                "(more would repeat input pixels); use conv_operator_norm instead."
            )
        pad_h = pad_w = 0
    elif conv.padding == "valid":
        pad_h = pad_w = 0
    elif conv.padding == "same":
        pad_h, pad_w = kh_d - 1, kw_d - 1
    else:
        pad_h, pad_w = 2 * conv.padding[0], 2 * conv.padding[1]
    N_h, N_w = max(H + pad_h, kh_d), max(W + pad_w, kw_d)
    spectrum = torch.fft.fft2(full, s=(N_h, N_w))  # (C', C, N_h, N_w)
    per_frequency = torch.linalg.matrix_norm(spectrum.permute(2, 3, 0, 1), ord=2)
    return float(per_frequency.max())


# --------------------------------------------------------------------------- #
# whole networks
# --------------------------------------------------------------------------- #
# Elementwise maps with |phi'| <= c are c-Lipschitz in L2.
_ACTIVATION_CONSTANTS = {
    nn.ReLU: 1.0, nn.ReLU6: 1.0, nn.Tanh: 1.0, nn.Sigmoid: 0.25, nn.Hardtanh: 1.0,
    nn.Softplus: 1.0, nn.Softsign: 1.0, nn.Hardsigmoid: 1.0 / 6.0, nn.LogSigmoid: 1.0,
    nn.Identity: 1.0, nn.Flatten: 1.0, nn.Unflatten: 1.0,
}


def _flatten_sequential(model):
    for module in model:
        if isinstance(module, nn.Sequential):
            yield from _flatten_sequential(module)
        else:
            yield module


def _activation_constant(module):
    kind = type(module)
    if kind in _ACTIVATION_CONSTANTS:
        return _ACTIVATION_CONSTANTS[kind]
    if kind is nn.LeakyReLU:
        return max(1.0, abs(module.negative_slope))
    if kind is nn.ELU:
        return max(1.0, module.alpha)
    if isinstance(module, (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.AlphaDropout)):
        if module.training and module.p > 0:
            raise ValueError(
                f"{kind.__name__} is in training mode (random masks); the bound is for the "
                "deterministic network: call model.eval() first."
            )
        return 1.0
    return None


@contextlib.contextmanager
def _read_only(module):
    """Read a layer's weight without side effects.

    A weight under a spectral-normalization parametrization runs a power-iteration
    step on every access in training mode; evaluating the bound must not move that
    state, so the layer is put in eval mode while we read it.
    """
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)


def layer_lipschitz_constants(model, input_shape=None, conv_method="power", n_iter=500,
                              tol=1e-10, seed=0):
    r"""Per-layer L2 Lipschitz constants of an ``nn.Sequential`` network.

    ``Linear``: the exact spectral norm :math:`\|W\|_2` (singular values).
    ``Conv2d``: the operator norm on the layer's actual input shape, by
    :func:`conv_operator_norm` (``conv_method="power"``, a converged lower
    estimate) or :func:`conv_fft_upper_bound` (``conv_method="fft"``, a
    guaranteed upper bound). Activations: their Lipschitz constants
    (:math:`\sup|\phi'|`, e.g. ReLU and tanh 1, sigmoid 1/4, LeakyReLU
    :math:`\max(1, |a|)`). Layers that cannot be bounded raise ``TypeError``.

    Returns a list of ``(name, module, constant)`` triples, one per leaf module.
    See :func:`lipschitz_upper_bound`.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be a torch.nn.Sequential, got {type(model).__name__}; wrap your layers "
            "in nn.Sequential(...)."
        )
    if conv_method not in ("power", "fft"):
        raise ValueError(f"conv_method must be 'power' or 'fft', got {conv_method!r}.")
    x = None
    if input_shape is not None:
        dtype = next(model.parameters(), torch.zeros(())).dtype
        x = torch.zeros((1, *_check_shape(input_shape, "input_shape")), dtype=dtype)
    constants = []
    for index, module in enumerate(_flatten_sequential(model)):
        name = f"layer {index} ({type(module).__name__})"
        if isinstance(module, nn.Linear):
            with _read_only(module):
                w = module.weight.detach().to(torch.float64)
            c = float(torch.linalg.matrix_norm(w, ord=2))
        elif isinstance(module, nn.Conv2d):
            if x is None:
                raise ValueError(
                    f"{name} is a Conv2d: its norm depends on the input size; pass "
                    "input_shape=(C, H, W) of the network's input."
                )
            shape = tuple(x.shape[1:])
            with _read_only(module):
                if conv_method == "fft":
                    c = conv_fft_upper_bound(module, shape)
                else:
                    result = conv_operator_norm(module, shape, n_iter=n_iter, tol=tol, seed=seed)
                    c = float(result.sigma)
        else:
            c = _activation_constant(module)
            if c is None:
                raise TypeError(
                    f"lipschitz_upper_bound cannot bound {name}: only Linear, Conv2d, Flatten, "
                    "Dropout (eval) and activations with a known Lipschitz constant are "
                    "supported (BatchNorm and normalisation layers divide by batch statistics "
                    "and break the product bound)."
                )
        constants.append((name, module, c))
        if x is not None:
            with torch.no_grad(), _read_only(module):
                x = module(x)
    return constants


def lipschitz_upper_bound(model, input_shape=None, conv_method="power", n_iter=500, tol=1e-10,
                          seed=0):
    r"""Upper bound on a network's L2 Lipschitz constant: the product of per-layer constants.

    For :math:`f = \phi_L \circ A_L \circ \dots \circ \phi_1 \circ A_1` with
    affine layers :math:`A_l x = W_l x + b_l` and activations of Lipschitz
    constant :math:`c_l`,

    .. math::

        \|f(x) - f(x')\|_2 \le \Big(\prod_l c_l \|W_l\|_2\Big) \|x - x'\|_2 ,

    because each factor bounds how much its map can stretch a difference. The
    bound is often loose (the top singular directions of consecutive layers
    rarely line up, and ReLU zeroes some coordinates). ``model`` is an
    ``nn.Sequential`` (nested ones are flattened) of ``Linear``, ``Conv2d``
    (pass ``input_shape=(C, H, W)``), ``Flatten``, ``Dropout`` (eval mode) and
    activations (see :func:`layer_lipschitz_constants`). ``BatchNorm`` or any
    other layer raises a ``TypeError`` naming it. Linear layers use their exact
    norm; for convolutions choose ``conv_method`` ("power": converged power
    iteration, "fft": a guaranteed upper bound).

    Returns a float. See the book, section 1.7 *Spectral norm, Lipschitz
    bounds, certified robustness* (``book/principles/spectral_lipschitz.ipynb``).
    """
    constants = layer_lipschitz_constants(model, input_shape, conv_method, n_iter, tol, seed)
    return float(math.prod(c for _, _, c in constants))


# --------------------------------------------------------------------------- #
# certified radius
# --------------------------------------------------------------------------- #
def certified_radius(logits, lipschitz):
    r"""L2 radius around each input inside which the predicted class cannot change.

    If the logit map :math:`f:\mathbb{R}^d \to \mathbb{R}^k` is
    :math:`K`-Lipschitz in L2, the difference of two logits
    :math:`f_y - f_i = (e_y - e_i)^\top f` is :math:`\sqrt{2}K`-Lipschitz
    (since :math:`\|e_y - e_i\|_2 = \sqrt 2`), so the top class :math:`y`
    stays on top for every perturbation :math:`\|\delta\|_2 < r` with

    .. math::

        r = \frac{f_{(1)}(x) - f_{(2)}(x)}{\sqrt{2}\,K}

    (top logit minus runner-up; Tsuzuku, Sato and Sugiyama 2018). The condition
    "margin :math:`> K\varepsilon`" is *not* sufficient for several logits: it
    over-certifies by :math:`\sqrt 2`. For a single score see
    :func:`certified_radius_binary`.

    Parameters
    ----------
    logits : array of shape (n, k) with k >= 2 (numpy or torch).
    lipschitz : float > 0, an upper bound on the L2 Lipschitz constant of the logit map.

    Returns an array of shape (n,) (same library as ``logits``).
    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    logits = check_array(logits, "logits", ndim=2, allow_torch=True)
    if logits.shape[1] < 2:
        raise ValueError(
            f"logits must have at least 2 columns (classes), got shape {tuple(logits.shape)}; "
            "for a single score use certified_radius_binary."
        )
    K = check_scalar(lipschitz, "lipschitz", low=0.0, low_open=True)
    if is_torch(logits):
        top2 = torch.topk(logits, 2, dim=1).values
    else:
        top2 = -np.sort(-logits, axis=1)[:, :2]
    return (top2[:, 0] - top2[:, 1]) / (math.sqrt(2.0) * K)


def certified_radius_binary(scores, lipschitz):
    r"""Certified L2 radius of a single-score binary classifier :math:`\mathrm{sign}\, f(x)`.

    If :math:`f:\mathbb{R}^d \to \mathbb{R}` is :math:`K`-Lipschitz, the sign
    cannot change while :math:`\|\delta\|_2 < |f(x)| / K`:

    .. math::

        r = \frac{|f(x)|}{K} .

    ``scores`` has shape (n,) (or (n, 1)); numpy or torch. Returns shape (n,).
    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    scores = check_array(scores, "scores", ndim=(1, 2), allow_torch=True)
    if scores.ndim == 2:
        if scores.shape[1] != 1:
            raise ValueError(
                f"scores must have shape (n,) or (n, 1), got {tuple(scores.shape)}; for "
                "several logits use certified_radius."
            )
        scores = scores[:, 0]
    K = check_scalar(lipschitz, "lipschitz", low=0.0, low_open=True)
    return abs(scores) / K


# --------------------------------------------------------------------------- #
# differentiable spectral norm: penalties and normalisation
# --------------------------------------------------------------------------- #
def _as_matrix(W):
    if not is_torch(W):
        raise TypeError(f"W must be a torch.Tensor, got {type(W).__name__}.")
    if W.ndim < 2:
        raise ValueError(f"W must have at least 2 dimensions, got shape {tuple(W.shape)}.")
    return W.flatten(1)  # conv kernels: (C', C * kh * kw), as torch's spectral_norm


@torch.no_grad()
def _power_steps(W_mat, v, n_steps, eps=1e-12):
    u = None
    for _ in range(n_steps):
        u = F.normalize(W_mat @ v, dim=0, eps=eps)
        v = F.normalize(W_mat.T @ u, dim=0, eps=eps)
    return u, v


def spectral_sigma(W, v=None, n_power_iterations=1, seed=None):
    r"""Differentiable estimate of :math:`\|W\|_2` with a persistent (warm-started) vector.

    Runs ``n_power_iterations`` steps of power iteration (no gradient) from
    ``v``, then returns :math:`\hat\sigma = u^\top W v` computed *with*
    gradient, treating :math:`u, v` as constants. At convergence this is
    the gradient of the spectral norm,

    .. math::

        \frac{\partial \sigma_1}{\partial W} = u_1 v_1^\top ,

    (for a simple top singular value). Pass the returned ``v`` back in at the
    next training step: the weights move little between steps, so one
    iteration per step keeps the estimate accurate (Miyato et al. 2018).
    Tensors of more than 2 dimensions are flattened to ``(shape[0], -1)``
    (for a convolution this is the reshaped kernel, a surrogate that is not the
    layer's operator norm; see :func:`conv_operator_norm`).

    Returns ``(sigma, u, v)``; ``u`` and ``v`` are detached.
    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    W_mat = _as_matrix(W)
    steps = check_scalar(n_power_iterations, "n_power_iterations", low=1, integer=True)
    if v is None:
        v = _start_vector(W_mat.shape[1], seed, W_mat.detach())
    elif not is_torch(v) or tuple(v.shape) != (W_mat.shape[1],):
        raise ValueError(
            f"v must be a torch vector of length {W_mat.shape[1]} (the columns of W), got "
            f"{type(v).__name__} {tuple(getattr(v, 'shape', ()))}."
        )
    u, v = _power_steps(W_mat.detach(), v.to(W_mat.dtype), steps)
    sigma = torch.dot(u, W_mat @ v)
    return sigma, u, v


class SpectralPenalty(nn.Module):
    r"""A spectral-norm penalty over the weight matrices of a model, for a training loss.

    .. math::

        \Omega(\theta) = \lambda \sum_{l} \hat\sigma_l^{\,p}, \qquad
        \hat\sigma_l = u_l^\top W_l v_l ,

    with :math:`\hat\sigma_l` from :func:`spectral_sigma` and :math:`p = 2` if
    ``squared`` else 1 (Yoshida and Miyato 2017 use
    :math:`\frac{\lambda}{2}\sum_l \sigma_l^2`). Each call runs
    ``n_power_iterations`` warm-started steps per weight; the vectors are buffers,
    so they are saved with ``state_dict``. The penalised weights are those of
    the ``Linear`` and ``Conv2d`` (reshaped kernel) submodules of ``model``, or
    the tensors in ``params`` if given. Usage::

        penalty = SpectralPenalty(model, lam=1e-2, squared=True)
        loss = criterion(model(x), y) + penalty()

    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """

    def __init__(self, model=None, lam=1.0, n_power_iterations=1, squared=False, seed=None,
                 params=None):
        super().__init__()
        self.lam = check_scalar(lam, "lam", low=0.0)
        self.n_power_iterations = check_scalar(
            n_power_iterations, "n_power_iterations", low=1, integer=True)
        self.squared = bool(squared)
        if params is None:
            if not isinstance(model, nn.Module):
                raise TypeError(
                    f"model must be a torch.nn.Module (or pass params=[...]), got "
                    f"{type(model).__name__}."
                )
            params = [m.weight for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
        params = list(params)
        if not params:
            raise ValueError("no weight to penalise: the model has no Linear or Conv2d layer.")
        # a plain list, so the model's parameters are not registered twice
        self._weights = params
        rng = check_rng(seed)
        for i, W in enumerate(self._weights):
            W_mat = _as_matrix(W).detach()
            _, v = _power_steps(W_mat, _start_vector(W_mat.shape[1], rng, W_mat), 15)
            self.register_buffer(f"_v{i}", v)

    def sigmas(self):
        """The current estimates :math:`\\|W_l v_l\\|` of the weights' spectral norms (floats)."""
        return [_sigma_now(W, self.get_buffer(f"_v{i}")) for i, W in enumerate(self._weights)]

    def forward(self):
        total = 0.0
        for i, W in enumerate(self._weights):
            sigma, _, v = spectral_sigma(W, self.get_buffer(f"_v{i}"), self.n_power_iterations)
            self.get_buffer(f"_v{i}").copy_(v)
            total = total + (sigma ** 2 if self.squared else sigma)
        return self.lam * total


@torch.no_grad()
def _sigma_now(W, v):
    W_mat = _as_matrix(W).detach()
    return float(torch.linalg.vector_norm(W_mat @ v))


class SpectralNormalization(nn.Module):
    r"""Parametrization :math:`W \mapsto W / \hat\sigma(W)` for ``torch.nn.utils.parametrize``.

    The same algorithm as ``torch.nn.utils.parametrizations.spectral_norm``:
    15 power iterations at registration, then ``n_power_iterations`` warm-started
    steps on every weight access in training mode (none in eval mode), and

    .. math::

        \hat\sigma = u^\top W v, \qquad W_{\mathrm{SN}} = \frac{W}{\hat\sigma},

    with the gradient flowing through :math:`\hat\sigma` with :math:`u, v` held
    constant. Since :math:`\hat\sigma \le \sigma_1(W)`, the normalised weight
    has :math:`\|W_{\mathrm{SN}}\|_2 = \sigma_1/\hat\sigma \ge 1`: slightly
    *above* 1 whenever the estimate has not converged. To certify a Lipschitz
    constant, measure ``torch.linalg.matrix_norm(W_SN, ord=2)`` afterwards. For
    a convolution the reshaped kernel is normalised, which does **not** make
    the layer 1-Lipschitz (see :func:`conv_operator_norm`).

    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """

    def __init__(self, weight, n_power_iterations=1, seed=None, eps=1e-12):
        super().__init__()
        self.n_power_iterations = check_scalar(
            n_power_iterations, "n_power_iterations", low=1, integer=True)
        self.eps = check_scalar(eps, "eps", low=0.0, low_open=True)
        W_mat = _as_matrix(weight).detach()
        h, w = W_mat.shape
        rng = check_rng(seed)
        u = F.normalize(torch.as_tensor(rng.standard_normal(h), dtype=W_mat.dtype), dim=0)
        v = F.normalize(torch.as_tensor(rng.standard_normal(w), dtype=W_mat.dtype), dim=0)
        self.register_buffer("_u", u.to(W_mat.device))
        self.register_buffer("_v", v.to(W_mat.device))
        self._update(W_mat, 15)

    @torch.no_grad()
    def _update(self, W_mat, n_steps):
        u, v = _power_steps(W_mat, self._v, n_steps, self.eps)
        self._u.copy_(u)
        self._v.copy_(v)

    def forward(self, weight):
        W_mat = _as_matrix(weight)
        if self.training:
            self._update(W_mat.detach(), self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()  # clone: backprop through two forwards
        sigma = torch.dot(u, W_mat @ v)
        return weight / sigma

    def right_inverse(self, value):
        """Assigning to the parametrized weight stores the value as given (as torch does)."""
        return value


def register_spectral_normalization(module, name="weight", n_power_iterations=1, seed=None):
    r"""Register :class:`SpectralNormalization` on ``module.<name>``; returns ``module``.

    Equivalent to ``torch.nn.utils.parametrizations.spectral_norm`` (same
    update order and gradient), with a seeded start and normlib's checks:

    .. math::

        \texttt{module.weight} = W / \hat\sigma(W) .

    The raw weight lives in ``module.parametrizations.weight.original``;
    ``torch.nn.utils.parametrize.remove_parametrizations`` removes it.
    See the book, section 1.7 (``book/principles/spectral_lipschitz.ipynb``).
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}.")
    weight = getattr(module, name, None)
    if not isinstance(weight, torch.Tensor):
        raise ValueError(f"module has no tensor attribute {name!r} to normalise.")
    parametrize.register_parametrization(
        module, name, SpectralNormalization(weight, n_power_iterations, seed))
    return module
