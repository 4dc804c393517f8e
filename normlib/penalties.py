r"""Values and (sub)gradients of parameter norm penalties.

=====================  ==========================================================
``l2``                 :math:`\tfrac12\|w\|_2^2` (weight decay)
``l1``                 :math:`\|w\|_1` (lasso)
``elastic_net``        :math:`\lambda_1\|w\|_1 + \lambda_2\|w\|_2^2`
``group_l21``          :math:`\sum_g c_g\|w_g\|_2` (group lasso, L2,1 of a matrix)
``spectral``           :math:`\sigma_{\max}(W)` (largest singular value)
=====================  ==========================================================

Each value function accepts a numpy array (returns a Python float) or a torch
tensor (returns a 0-d tensor that autograd can differentiate). The ``*_grad``
functions give the gradient, or for the non-smooth penalties the minimum-norm
subgradient, which is also what ``torch.autograd`` returns; they follow
"numpy in, numpy out; torch in, torch out".

The path norm lives in :mod:`normlib.rescaling`.
"""

from __future__ import annotations

import numpy as np

from normlib._validation import check_array, check_scalar, is_torch
from normlib.prox import _group_labels, _group_norms

try:
    import torch
except ImportError:  # pragma: no cover - torch is pinned
    torch = None

__all__ = [
    "l2", "l2_grad",
    "l1", "l1_subgrad",
    "elastic_net", "elastic_net_subgrad",
    "group_l21", "group_l21_subgrad",
    "spectral", "spectral_grad",
]


def _value(x):
    """A 0-d torch tensor stays a tensor; a numpy scalar becomes a Python float."""
    return x if is_torch(x) else float(x)


# --------------------------------------------------------------------------- L2
def l2(w):
    r"""The L2 penalty :math:`\Omega(w) = \tfrac12\|w\|_2^2 = \tfrac12\sum_i w_i^2` (all entries).

    With the factor :math:`\tfrac12` the gradient is :math:`w` itself, and
    ``weight_decay=lam`` in ``torch.optim.SGD`` equals adding ``lam * l2(w)``
    to the loss.

    See the book, section 1.3 *L2 / weight decay* (``book/principles/l2_weight_decay.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    return _value(0.5 * (w * w).sum())


def l2_grad(w):
    r"""Gradient of :func:`l2`: :math:`\nabla \tfrac12\|w\|_2^2 = w`.

    See the book, section 1.3 *L2 / weight decay* (``book/principles/l2_weight_decay.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    return w.clone() if is_torch(w) else w.copy()


# --------------------------------------------------------------------------- L1
def l1(w):
    r"""The L1 penalty :math:`\Omega(w) = \|w\|_1 = \sum_i |w_i|` (all entries).

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    return _value(abs(w).sum())


def l1_subgrad(w):
    r"""Minimum-norm subgradient of :math:`\|w\|_1`: :math:`\operatorname{sign}(w)`.

    .. math::

        \partial |w_i| = \begin{cases} \{\operatorname{sign}(w_i)\} & w_i \ne 0 \\
        [-1, 1] & w_i = 0 \end{cases}

    and the element of smallest norm is 0 at :math:`w_i = 0` (torch's autograd
    of ``abs`` returns the same).

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    return torch.sign(w) if is_torch(w) else np.sign(w)


# --------------------------------------------------------------------------- elastic net
def elastic_net(w, lam1, lam2):
    r"""The elastic-net penalty :math:`\lambda_1\|w\|_1 + \lambda_2\|w\|_2^2`.

    scikit-learn's ``ElasticNet(alpha, l1_ratio)`` uses
    :math:`\lambda_1 = \alpha\rho` and :math:`\lambda_2 = \alpha(1 - \rho)/2`.

    See the book, section 1.5 *Elastic net* (``book/principles/elastic_net.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    lam1 = check_scalar(lam1, "lam1", low=0.0)
    lam2 = check_scalar(lam2, "lam2", low=0.0)
    return _value(lam1 * abs(w).sum() + lam2 * (w * w).sum())


def elastic_net_subgrad(w, lam1, lam2):
    r"""Minimum-norm subgradient of :func:`elastic_net`.

    .. math::

        \lambda_1\operatorname{sign}(w) + 2\lambda_2 w

    See the book, section 1.5 *Elastic net* (``book/principles/elastic_net.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    lam1 = check_scalar(lam1, "lam1", low=0.0)
    lam2 = check_scalar(lam2, "lam2", low=0.0)
    sign = torch.sign(w) if is_torch(w) else np.sign(w)
    return lam1 * sign + 2.0 * lam2 * w


# --------------------------------------------------------------------------- group L2,1
def _groups_and_weights(W, groups, weights):
    """Per-group norms of ``W`` and the weight of each group."""
    if groups is not None:
        if W.ndim != 1:
            raise ValueError(f"groups applies to a 1-D w, got shape {tuple(W.shape)}.")
        index, n_groups = _group_labels(groups, W.shape[0])
        if is_torch(W):
            norms = _group_norms(W, torch.as_tensor(index, device=W.device), n_groups)
        else:
            norms = _group_norms(W, index, n_groups)
        sizes = np.bincount(index, minlength=n_groups)
    elif W.ndim == 1:
        index, sizes = np.zeros(W.shape[0], dtype=np.int64), np.array([W.shape[0]])
        norms = (torch.linalg.vector_norm(W) if is_torch(W) else np.linalg.norm(W)).reshape(1)
    else:
        index, sizes = None, np.full(W.shape[0], W.shape[1])
        norms = (torch.linalg.vector_norm(W, dim=1) if is_torch(W)
                 else np.linalg.norm(W, axis=1))
    if weights is None:
        c = np.ones(len(sizes))
    elif isinstance(weights, str):
        if weights != "sqrt_size":
            raise ValueError(f"weights must be None, 'sqrt_size' or an array, got {weights!r}.")
        c = np.sqrt(sizes)
    else:
        c = check_array(weights, "weights", ndim=1)
        if c.shape[0] != len(sizes) or np.any(c < 0):
            raise ValueError(
                f"weights must hold {len(sizes)} non-negative numbers (one per group), "
                f"got shape {c.shape}."
            )
    if is_torch(W):
        c = torch.as_tensor(c, dtype=W.dtype, device=W.device)
    return norms, c, index


def group_l21(W, groups=None, weights=None):
    r"""The group (L2,1) penalty :math:`\Omega(W) = \sum_g c_g \|W_g\|_2`.

    - 2-D ``W``: the groups are the rows, :math:`\sum_i c_i\|W_{i,:}\|_2` (for a
      layer of shape inputs x outputs, a zero row removes an input feature);
    - 1-D ``w`` with ``groups`` (one integer label per entry): the groups of entries;
    - 1-D ``w`` without ``groups``: one group, :math:`\|w\|_2`.

    ``weights``: ``None`` (all :math:`c_g = 1`), ``"sqrt_size"``
    (:math:`c_g = \sqrt{p_g}`, the group lasso's usual choice) or one weight per
    group (per sorted label).

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    W = check_array(W, "W", ndim=(1, 2), allow_torch=True)
    norms, c, _ = _groups_and_weights(W, groups, weights)
    return _value((c * norms).sum())


def group_l21_subgrad(W, groups=None, weights=None):
    r"""Minimum-norm subgradient of :func:`group_l21`: :math:`c_g W_g / \|W_g\|_2`, 0 if zero.

    .. math::

        \partial \|W_g\|_2 = \begin{cases} \{W_g / \|W_g\|_2\} & W_g \ne 0 \\
        \{u : \|u\|_2 \le 1\} & W_g = 0. \end{cases}

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    W = check_array(W, "W", ndim=(1, 2), allow_torch=True)
    norms, c, index = _groups_and_weights(W, groups, weights)
    if is_torch(W):
        scale = torch.where(norms > 0, c / torch.where(norms > 0, norms, torch.ones_like(norms)),
                            torch.zeros_like(norms))
    else:
        scale = np.where(norms > 0, c / np.where(norms > 0, norms, 1.0), 0.0)
    return scale[:, None] * W if index is None else scale[index] * W


# --------------------------------------------------------------------------- spectral
def spectral(W):
    r"""The spectral norm :math:`\|W\|_2 = \sigma_{\max}(W) = \max_{\|x\|_2=1}\|Wx\|_2`.

    Exact, through the singular value decomposition
    (``torch.linalg.matrix_norm(W, ord=2)`` for tensors, differentiable when the
    largest singular value is simple). It is the Lipschitz constant of
    :math:`x \mapsto Wx` in the L2 norm.

    See the book, section 1.7 *Spectral norm and Lipschitz bounds*
    (``book/principles/spectral_lipschitz.ipynb``).
    """
    W = check_array(W, "W", ndim=2, allow_torch=True)
    if is_torch(W):
        return torch.linalg.matrix_norm(W, ord=2)
    return float(np.linalg.norm(W, ord=2))


def spectral_grad(W):
    r"""Gradient of :math:`\sigma_{\max}(W)`: :math:`u_1 v_1^\top` (top singular vectors).

    .. math::

        \nabla_W\, \sigma_{\max}(W) = u_1 v_1^\top, \qquad W v_1 = \sigma_{\max} u_1,

    valid when :math:`\sigma_{\max}` is a simple singular value (otherwise this is
    one subgradient).

    See the book, section 1.7 *Spectral norm and Lipschitz bounds*
    (``book/principles/spectral_lipschitz.ipynb``).
    """
    W = check_array(W, "W", ndim=2, allow_torch=True)
    if is_torch(W):
        U, _, Vh = torch.linalg.svd(W, full_matrices=False)
    else:
        U, _, Vh = np.linalg.svd(W, full_matrices=False)
    return U[:, :1] @ Vh[:1, :]
