r"""Proximal operators of norm penalties and Euclidean projections onto norm balls.

The proximal operator of a convex function :math:`g` with step :math:`t > 0` is

.. math::

    \operatorname{prox}_{t g}(v) = \arg\min_x \; \tfrac12 \|x - v\|_2^2 + t\, g(x).

For a penalty it is a *shrinkage*; for the indicator of a ball it is the Euclidean
*projection* onto that ball. Proximal gradient methods (``normlib.solvers``)
alternate a gradient step on the smooth loss with one of these operators.

Every function accepts a numpy array (numpy out) or a torch tensor (torch out,
built from torch operations so that autograd flows through it wherever the
operator is differentiable).

See the book, section 1.4 *L1 penalty and proximal gradient*
(``book/principles/l1_lasso.ipynb``), section 1.5 (``elastic_net.ipynb``) and
section 1.6 (``group_lasso.ipynb``).
"""

from __future__ import annotations

import numpy as np

from normlib._validation import check_array, check_scalar, is_torch

try:
    import torch
except ImportError:  # pragma: no cover - torch is pinned
    torch = None

__all__ = [
    "soft_threshold",
    "prox_elastic_net",
    "prox_l2_squared",
    "group_soft_threshold",
    "project_l2_ball",
    "project_l1_ball",
    "project_linf_ball",
]


# --------------------------------------------------------------------------- helpers
def _positive_part(x):
    """``max(x, 0)`` elementwise, for numpy arrays and torch tensors."""
    return x.clamp(min=0) if is_torch(x) else np.maximum(x, 0.0)


def _sign(x):
    return torch.sign(x) if is_torch(x) else np.sign(x)


def _threshold(k, v, name, shape=None, v_name="v"):
    """Check a threshold: a scalar >= 0, or an array >= 0 of ``v``'s kind.

    An array must broadcast against ``shape`` (default: ``v``'s shape).
    """
    if np.ndim(k) == 0 and not (is_torch(k) and k.requires_grad):
        return check_scalar(k, name, low=0.0)
    if is_torch(k) != is_torch(v):
        kinds = ("a torch tensor", "a numpy array")
        raise TypeError(
            f"{name} is {kinds[not is_torch(k)]} but {v_name} is {kinds[not is_torch(v)]}; "
            f"pass both as numpy arrays or both as torch tensors."
        )
    k = check_array(k, name, allow_torch=True)
    if is_torch(k):
        k = k.to(dtype=v.dtype, device=v.device)
    negative = bool((k.detach() < 0).any()) if is_torch(k) else bool(np.any(k < 0))
    if negative:
        raise ValueError(f"{name} must be non-negative everywhere; got a negative entry.")
    shape = tuple(v.shape) if shape is None else shape
    try:
        np.broadcast_shapes(tuple(k.shape), shape)
    except ValueError:
        raise ValueError(
            f"{name} has shape {tuple(k.shape)}, which does not broadcast against shape "
            f"{shape}; pass a scalar or an array of a broadcastable shape."
        ) from None
    return k


def _soft_threshold(v, k):
    """Unchecked soft threshold (numpy or torch); used by the solvers' inner loops."""
    return _sign(v) * _positive_part(abs(v) - k)


def _group_labels(groups, size, name="groups"):
    """Map integer group labels to ``0..G-1``; return ``(index, n_groups)``."""
    if is_torch(groups):
        groups = groups.detach().cpu().numpy()
    if isinstance(groups, (str, bytes)) or groups is None:
        raise TypeError(
            f"{name} must be a 1-D array of integer labels, got {type(groups).__name__}."
        )
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per feature), got shape {groups.shape}.")
    if groups.shape[0] != size:
        raise ValueError(
            f"{name} has {groups.shape[0]} labels but there are {size} features; "
            f"give exactly one integer label per feature."
        )
    if groups.dtype.kind in "iu":
        pass
    elif groups.dtype.kind == "f" and np.all(np.isfinite(groups)) and np.all(groups % 1 == 0):
        groups = groups.astype(np.int64)
    else:
        raise TypeError(
            f"{name} must hold integer labels (e.g. [0, 0, 1, 1, 2]), got dtype {groups.dtype} "
            f"with values such as {groups[:3].tolist()}."
        )
    _, index = np.unique(groups, return_inverse=True)
    return index.ravel(), int(index.max()) + 1 if size else 0


# --------------------------------------------------------------------------- L1 / elastic net
def soft_threshold(v, k):
    r"""Soft thresholding, the proximal operator of :math:`k\|\cdot\|_1`.

    .. math::

        S_k(v)_i = \operatorname{sign}(v_i)\,\max(|v_i| - k_i,\ 0)
        = \arg\min_x \tfrac12 \|x - v\|_2^2 + \sum_i k_i |x_i|.

    Every entry with :math:`|v_i| \le k_i` becomes exactly zero; the others move
    towards zero by :math:`k_i`.

    Parameters
    ----------
    v : array or tensor
        Input of any shape.
    k : float or array or tensor
        Threshold :math:`\ge 0`: a scalar, or an array broadcastable to ``v``.

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    v = check_array(v, "v", allow_torch=True)
    k = _threshold(k, v, "k")
    return _soft_threshold(v, k)


def prox_elastic_net(v, lam1, lam2, step=1.0):
    r"""Proximal operator of the elastic-net penalty :math:`t(\lambda_1|x| + \lambda_2 x^2)`.

    .. math::

        \operatorname{prox}_{t(\lambda_1\|\cdot\|_1 + \lambda_2\|\cdot\|_2^2)}(v)
        = \frac{S_{t\lambda_1}(v)}{1 + 2 t \lambda_2}.

    Soft thresholding (sparsity) followed by a uniform shrinkage (ridge).

    Parameters
    ----------
    v : array or tensor
    lam1, lam2 : float
        L1 and squared-L2 strengths, :math:`\ge 0`.
    step : float
        The step :math:`t > 0`.

    See the book, section 1.5 *Elastic net* (``book/principles/elastic_net.ipynb``).
    """
    v = check_array(v, "v", allow_torch=True)
    lam1 = check_scalar(lam1, "lam1", low=0.0)
    lam2 = check_scalar(lam2, "lam2", low=0.0)
    step = check_scalar(step, "step", low=0.0, low_open=True)
    return _soft_threshold(v, step * lam1) / (1.0 + 2.0 * step * lam2)


def prox_l2_squared(v, lam, step=1.0):
    r"""Proximal operator of the L2 penalty :math:`t\,\lambda\,\tfrac12\|x\|_2^2`.

    .. math::

        \operatorname{prox}_{t\lambda\frac12\|\cdot\|_2^2}(v) = \frac{v}{1 + t\lambda}.

    One proximal step of weight decay: a uniform shrinkage, never an exact zero.

    See the book, section 1.3 *L2 / weight decay* (``book/principles/l2_weight_decay.ipynb``).
    """
    v = check_array(v, "v", allow_torch=True)
    lam = check_scalar(lam, "lam", low=0.0)
    step = check_scalar(step, "step", low=0.0, low_open=True)
    return v / (1.0 + step * lam)


# --------------------------------------------------------------------------- group lasso
def _group_scale(norms, k):
    r"""``max(0, 1 - k / norm)``, and 0 where ``norm == 0`` (numpy or torch)."""
    if is_torch(norms):
        safe = torch.where(norms > 0, norms, torch.ones_like(norms))
        return torch.where(norms > 0, (1.0 - k / safe).clamp(min=0), torch.zeros_like(norms))
    safe = np.where(norms > 0, norms, 1.0)
    return np.where(norms > 0, np.maximum(1.0 - k / safe, 0.0), 0.0)


def _group_norms(w, index, n_groups):
    """Euclidean norm of each group of the vector ``w`` (numpy or torch)."""
    if is_torch(w):
        sq = torch.zeros(n_groups, dtype=w.dtype, device=w.device).index_add(0, index, w * w)
        return torch.sqrt(sq)
    return np.sqrt(np.bincount(index, weights=w * w, minlength=n_groups))


def group_soft_threshold(W, k, groups=None):
    r"""Group (block) soft thresholding, the proximal operator of :math:`\sum_g k_g\|W_g\|_2`.

    .. math::

        \operatorname{prox}(W)_g = \max\Bigl(0,\ 1 - \frac{k_g}{\|W_g\|_2}\Bigr)\, W_g,

    so a whole group is set to zero when its norm is at most :math:`k_g`, and
    otherwise shrunk towards zero along its own direction. Rows with zero norm
    stay zero.

    Parameters
    ----------
    W : array or tensor
        2-D: each row ``W[i, :]`` is a group. 1-D without ``groups``: the whole
        vector is one group. 1-D with ``groups``: a vector whose entries are grouped
        by the labels.
    k : float or array
        Threshold :math:`\ge 0`; a scalar, or one value per group (per row, or per
        sorted group label).
    groups : array of int, optional
        One integer label per entry of a 1-D ``W``.

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    W = check_array(W, "W", ndim=(1, 2), allow_torch=True)
    if groups is not None:
        if W.ndim != 1:
            raise ValueError(f"groups applies to a 1-D W, got W of shape {tuple(W.shape)}.")
        index, n_groups = _group_labels(groups, W.shape[0])
    elif W.ndim == 1:
        index, n_groups = np.zeros(W.shape[0], dtype=np.int64), 1
    else:
        index, n_groups = None, W.shape[0]
    if np.ndim(k) > 0 and np.shape(k) not in ((n_groups,), (1,), ()):
        raise ValueError(
            f"k must be a scalar or hold one threshold per group ({n_groups}), "
            f"got shape {tuple(np.shape(k))}."
        )
    k = _threshold(k, W, "k", shape=(n_groups,), v_name="W")
    if index is None:  # rows are groups
        norms = (torch.linalg.vector_norm(W, dim=1) if is_torch(W)
                 else np.linalg.norm(W, axis=1))
        return _group_scale(norms, k)[:, None] * W
    if is_torch(W):
        index = torch.as_tensor(index, device=W.device)
    return _group_scale(_group_norms(W, index, n_groups), k)[index] * W


# --------------------------------------------------------------------------- projections
def _norm2(w):
    return torch.linalg.vector_norm(w) if is_torch(w) else float(np.linalg.norm(w.ravel()))


def project_l2_ball(w, radius):
    r"""Euclidean projection onto the L2 ball :math:`\{x : \|x\|_2 \le r\}`.

    .. math::

        P(w) = w \cdot \min\Bigl(1,\ \frac{r}{\|w\|_2}\Bigr).

    The norm is taken over all entries (the Frobenius norm for a matrix).

    See the book, section 1.2 *Constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    radius = check_scalar(radius, "radius", low=0.0)
    norm = _norm2(w)
    if is_torch(w):
        scale = torch.where(norm > radius, radius / torch.clamp(norm, min=1e-300),
                            torch.ones_like(norm))
        return w * scale
    return w * (radius / norm) if norm > radius else w.copy()


def project_l1_ball(w, radius):
    r"""Euclidean projection onto the L1 ball :math:`\{x : \|x\|_1 \le r\}` (Duchi et al. 2008).

    Outside the ball the projection is a soft threshold whose level
    :math:`\theta` makes the result land on the sphere:

    .. math::

        P(w) = S_\theta(w),\qquad
        \theta = \frac{1}{\rho}\Bigl(\sum_{j \le \rho} u_j - r\Bigr),\qquad
        \rho = \max\Bigl\{j : u_j > \tfrac1j\bigl(\textstyle\sum_{i\le j} u_i - r\bigr)\Bigr\},

    with :math:`u` the absolute values of :math:`w` sorted in decreasing order;
    :math:`O(d \log d)`. Inside the ball :math:`P(w) = w`. The norm is taken over
    all entries.

    See the book, section 1.2 *Constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``) and section 1.4.
    """
    w = check_array(w, "w", allow_torch=True)
    radius = check_scalar(radius, "radius", low=0.0)
    if radius == 0.0:
        return w * 0.0
    if is_torch(w):
        if float(w.detach().abs().sum()) <= radius:
            return w.clone()
        u = torch.sort(w.reshape(-1).abs(), descending=True).values
        css = torch.cumsum(u, dim=0)
        j = torch.arange(1, u.numel() + 1, dtype=w.dtype, device=w.device)
        keep = u * j > css - radius
        keep[0] = True  # j = 1 always qualifies (radius > 0); guard against round-off
        rho = int(torch.nonzero(keep)[-1])
    else:
        if np.abs(w).sum() <= radius:
            return w.copy()
        u = np.sort(np.abs(w).ravel())[::-1]
        css = np.cumsum(u)
        j = np.arange(1, u.size + 1)
        keep = u * j > css - radius
        keep[0] = True  # j = 1 always qualifies (radius > 0); guard against round-off
        rho = int(np.nonzero(keep)[0][-1])
    theta = (css[rho] - radius) / (rho + 1)
    return _soft_threshold(w, theta)


def project_linf_ball(w, radius):
    r"""Euclidean projection onto the L-infinity ball :math:`\{x : \|x\|_\infty \le r\}`.

    .. math::

        P(w)_i = \min(\max(w_i, -r),\ r).

    By Moreau's decomposition, :math:`v = S_t(v) + P_{\|\cdot\|_\infty \le t}(v)`:
    the L-infinity ball is the unit ball of the dual norm of L1.

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    w = check_array(w, "w", allow_torch=True)
    radius = check_scalar(radius, "radius", low=0.0)
    if is_torch(w):
        return w.clamp(min=-radius, max=radius)
    return np.clip(w, -radius, radius)
