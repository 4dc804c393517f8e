r"""Rescaling invariance of ReLU networks and the path norm.

ReLU is positively homogeneous, :math:`\mathrm{relu}(\alpha z) = \alpha\,
\mathrm{relu}(z)` for :math:`\alpha > 0`. Multiplying a hidden unit's incoming
weights and bias by :math:`\alpha` and its outgoing weights by
:math:`1/\alpha` therefore leaves the network's function unchanged, while the
sum of squared weights (the L2 penalty) changes: the L2 penalty is not a
function of the network's function. The *path norm* (Neyshabur, Tomioka and
Srebro 2015) is invariant under these rescalings.

See the book, section 1.10 *Rescaling invariance and path norm*
(``book/principles/rescaling_path_norm.ipynb``).
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from normlib._validation import check_array, check_scalar, is_torch

__all__ = [
    "rescale_relu",
    "path_norm",
    "l2_norm_squared",
    "ScaleInvariance",
    "scale_invariance_check",
]

# Positively homogeneous maps (phi(a z) = a phi(z), a > 0) and shape-only modules.
_HOMOGENEOUS = (nn.ReLU, nn.LeakyReLU, nn.Identity, nn.Flatten)


def _linear_layers(model):
    """The Linear layers of an MLP, after checking that nothing else changes the function."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"model must be a torch.nn.Sequential MLP (Linear and ReLU layers), got "
            f"{type(model).__name__}."
        )
    linears = []
    for index, module in enumerate(model):
        if isinstance(module, nn.Linear):
            linears.append(module)
        elif not isinstance(module, _HOMOGENEOUS):
            raise TypeError(
                f"layer {index} ({type(module).__name__}) is not supported: the model must "
                "contain only Linear layers and positively homogeneous activations (ReLU, "
                "LeakyReLU, Identity, Flatten)."
            )
    if not linears:
        raise ValueError("model has no Linear layer.")
    return linears


def rescale_relu(model, layer, alpha):
    r"""A copy of a ReLU MLP with one hidden layer rescaled; the function is unchanged.

    For hidden layer :math:`l` (the output of the ``layer``-th ``Linear``,
    counting from 0) and factors :math:`\alpha_j > 0`, one per unit or one for all,

    .. math::

        W_l \leftarrow \mathrm{diag}(\alpha) W_l, \quad
        b_l \leftarrow \alpha \odot b_l, \quad
        W_{l+1} \leftarrow W_{l+1}\, \mathrm{diag}(\alpha)^{-1},

    and since :math:`\mathrm{relu}(\alpha_j z) = \alpha_j\,\mathrm{relu}(z)`,
    the next layer sees exactly the same pre-activations. The sum of squared
    parameters (:func:`l2_norm_squared`) changes; the path norm
    (:func:`path_norm`) does not.

    Parameters
    ----------
    model : nn.Sequential of Linear layers and ReLU / LeakyReLU / Identity / Flatten.
    layer : int, index of the hidden layer, 0 <= layer < (number of Linear layers) - 1.
    alpha : float > 0, or an array of shape (units,) of positive factors.

    Returns a rescaled deep copy; ``model`` is left untouched.
    See the book, section 1.10 (``book/principles/rescaling_path_norm.ipynb``).
    """
    linears = _linear_layers(model)
    if len(linears) < 2:
        raise ValueError("model has a single Linear layer: there is no hidden layer to rescale.")
    layer = check_scalar(layer, "layer", low=0, high=len(linears) - 2, integer=True)
    units = linears[layer].out_features
    if np.ndim(alpha) == 0:
        alpha = np.full(units, check_scalar(alpha, "alpha", low=0.0, low_open=True))
    else:
        alpha = check_array(alpha, "alpha", ndim=1, allow_torch=True)
        alpha = alpha.detach().cpu().numpy() if is_torch(alpha) else alpha
        if alpha.shape[0] != units:
            raise ValueError(
                f"alpha must have one factor per unit of hidden layer {layer} ({units}), got "
                f"{alpha.shape[0]}."
            )
        if np.any(alpha <= 0):
            raise ValueError("alpha must be > 0 for every unit (ReLU is homogeneous for a > 0).")
    rescaled = copy.deepcopy(model)
    incoming, outgoing = _linear_layers(rescaled)[layer:layer + 2]
    with torch.no_grad():
        a = torch.as_tensor(alpha, dtype=incoming.weight.dtype, device=incoming.weight.device)
        incoming.weight.mul_(a[:, None])
        if incoming.bias is not None:
            incoming.bias.mul_(a)
        outgoing.weight.div_(a[None, :])
    return rescaled


def path_norm(model, include_bias=True, squared=False):
    r"""The L2 path norm of a ReLU MLP, by one forward pass with squared weights.

    Summing, over every path :math:`p` from an input unit to an output unit, the
    product of the squared weights along it,

    .. math::

        \phi^2(\theta) = \sum_{p} \prod_{e \in p} w_e^2
        = \mathbf 1^\top\, W_L^{\odot 2} \cdots W_1^{\odot 2}\, \mathbf 1 ,

    where :math:`W^{\odot 2}` squares elementwise: the sum factorises layer by
    layer, so one pass :math:`h \leftarrow W^{\odot 2} h` from
    :math:`h = \mathbf 1` (no nonlinearity) computes it.

    **Biases** (``include_bias=True``): the bias :math:`b_j` of a unit is the
    weight of an edge from a constant unit (always 1) into it, so paths may also
    start at a bias; the pass becomes :math:`h \leftarrow W^{\odot 2} h +
    b^{\odot 2}`. With ``include_bias=False`` biases are ignored.

    Both versions are invariant under :func:`rescale_relu` (each path through a
    rescaled unit gains :math:`\alpha^2` and loses :math:`1/\alpha^2`). Returns
    :math:`\phi` (or :math:`\phi^2` if ``squared``) as a 0-d tensor,
    differentiable with respect to the parameters, so it can serve as a penalty.

    See the book, section 1.10 (``book/principles/rescaling_path_norm.ipynb``).
    """
    linears = _linear_layers(model)
    first = linears[0].weight
    h = torch.ones(linears[0].in_features, dtype=first.dtype, device=first.device)
    for linear in linears:
        h = linear.weight.square() @ h
        if include_bias and linear.bias is not None:
            h = h + linear.bias.square()
    total = h.sum()
    return total if squared else total.sqrt()


def l2_norm_squared(model, include_bias=True):
    r"""Sum of squared parameters, :math:`\sum_l \|W_l\|_F^2 (+ \|b_l\|_2^2)`, as a 0-d tensor.

    The quantity the L2 penalty (weight decay) acts on; not invariant under
    :func:`rescale_relu`. Counts every parameter of ``model`` (biases are the
    1-D parameters named ``bias``; ``include_bias=False`` skips them).
    See the book, section 1.10 (``book/principles/rescaling_path_norm.ipynb``).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    terms = [p.square().sum() for name, p in model.named_parameters()
             if include_bias or not name.endswith("bias")]
    if not terms:
        return torch.zeros(())
    return torch.stack(terms).sum()


class ScaleInvariance(NamedTuple):
    """Result of :func:`scale_invariance_check` (all floats).

    ``max_loss_change``: :math:`\\max_c |L(cw) - L(w)|` over the scales tried;
    ``radial_derivative``: :math:`w \\cdot \\nabla L(w)`; ``grad_norm``:
    :math:`\\|\\nabla L(w)\\|`; ``w_norm``: :math:`\\|w\\|`.
    """

    max_loss_change: float
    radial_derivative: float
    grad_norm: float
    w_norm: float


def scale_invariance_check(loss_fn, w, scales=(0.5, 2.0)):
    r"""Check that a loss is scale invariant in ``w`` and that its gradient is orthogonal to ``w``.

    If :math:`L(cw) = L(w)` for all :math:`c > 0` (as for the weights feeding a
    BatchNorm layer), differentiating in :math:`c` at :math:`c = 1` gives

    .. math::

        w^\top \nabla L(w) = 0 ,

    so a gradient step only turns :math:`w` and can only grow its norm,
    :math:`\|w - \eta \nabla L\|^2 = \|w\|^2 + \eta^2 \|\nabla L\|^2`; the
    effective learning rate of the direction is :math:`\eta / \|w\|^2`, which is
    what weight decay controls in such networks (van Laarhoven 2017; Zhang,
    Wang, Xu and Grosse 2019).

    ``loss_fn`` maps a tensor shaped like ``w`` to a scalar tensor.
    See the book, section 1.10 (``book/principles/rescaling_path_norm.ipynb``).
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}.")
    if not is_torch(w):
        raise TypeError(f"w must be a torch.Tensor, got {type(w).__name__}.")
    scales = [check_scalar(c, "scales", low=0.0, low_open=True) for c in scales]
    w = w.detach().clone().requires_grad_(True)
    loss = loss_fn(w)
    (grad,) = torch.autograd.grad(loss, w)
    with torch.no_grad():
        changes = [abs(float(loss_fn(c * w)) - float(loss)) for c in scales]
    return ScaleInvariance(
        max_loss_change=max(changes, default=0.0),
        radial_derivative=float((w.detach() * grad).sum()),
        grad_norm=float(grad.norm()),
        w_norm=float(w.detach().norm()),
    )
