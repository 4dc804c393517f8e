r"""How strongly an optimizer shrinks each weight per step.

Coupled L2 and decoupled weight decay both pull weights toward zero, but by
different amounts per coordinate. Write one step, with the optimizer's first
moment (momentum buffer, :math:`\hat m`) replaced by the gradient it
averages (the *quasi-static* view: exact without momentum or with
:math:`\beta_1 = 0`, and the steady state when gradients change slowly), as

.. math::

   \theta \leftarrow \theta - P \odot \nabla f(\theta) - S \odot \theta .

:func:`effective_step_size` returns :math:`P` and :func:`effective_shrinkage`
returns :math:`S`, per coordinate:

=====================  ==========================================  ==========================
optimizer              :math:`P`                                   :math:`S`
=====================  ==========================================  ==========================
SGD, coupled           :math:`\gamma(1-\tau)/(1-\mu)`              :math:`P\lambda`
SGD, decoupled         :math:`\gamma(1-\tau)/(1-\mu)`              :math:`\gamma\lambda`
Adam, coupled (L2)     :math:`\gamma/(\sqrt{\hat v}+\epsilon)`     :math:`P\lambda`
AdamW (decoupled)      :math:`\gamma/(\sqrt{\hat v}+\epsilon)`     :math:`\gamma\lambda`
=====================  ==========================================  ==========================

(:math:`\gamma` lr, :math:`\lambda` weight decay, :math:`\mu` momentum,
:math:`\tau` dampening; without momentum :math:`P = \gamma`.) So Adam with L2
shrinks weight :math:`i` by :math:`\gamma\lambda/(\sqrt{\hat v_i}+\epsilon)`,
non-uniformly, while AdamW shrinks all weights by :math:`\gamma\lambda`; and
:math:`S/P` is the L2 strength the step is equivalent to: :math:`\lambda` for
coupled decay, :math:`\lambda(1-\mu)/(1-\tau)` for decoupled SGD with momentum,
which is why the latter converges to the ridge solution for that strength.

See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
(``book/principles/optimizers.ipynb``).
"""

from __future__ import annotations

import torch

from normlib.optim.adam import Adam
from normlib.optim.sgd import SGD

__all__ = ["effective_shrinkage", "effective_step_size"]

_ADAM_LIKE = (Adam, torch.optim.Adam, torch.optim.AdamW)
_SGD_LIKE = (SGD, torch.optim.SGD)


def _kind(optimizer):
    if isinstance(optimizer, _ADAM_LIKE):
        return "adam"
    if isinstance(optimizer, _SGD_LIKE):
        return "sgd"
    raise TypeError(
        "optimizer must be a normlib.optim SGD / Adam / AdamW or a torch.optim SGD / Adam / "
        f"AdamW, got {type(optimizer).__name__}."
    )


def _is_decoupled(optimizer, group):
    return bool(group.get("decoupled_weight_decay", False)) or isinstance(
        optimizer, torch.optim.AdamW
    )


def _adam_step_size(optimizer, p, group):
    state = optimizer.state.get(p)
    if not state or "step" not in state:
        return None
    t = float(state["step"])
    v = state["max_exp_avg_sq"] if group.get("amsgrad", False) else state["exp_avg_sq"]
    v_hat = v / (1 - group["betas"][1] ** t)
    return float(group["lr"]) / (v_hat.sqrt() + group["eps"])


def _sgd_step_size(p, group):
    lr, mu = float(group["lr"]), group["momentum"]
    scale = (1 - group["dampening"]) / (1 - mu) if mu != 0 else 1.0
    return torch.full_like(p, lr * scale).detach()


def effective_step_size(optimizer):
    r"""Per-coordinate step size :math:`P` applied to the gradient, in the quasi-static view.

    .. math::

       P = \frac{\gamma(1-\tau)}{1-\mu}\ \text{(SGD; } \gamma \text{ without momentum)},
       \qquad
       P = \frac{\gamma}{\sqrt{\hat v} + \epsilon},\quad
       \hat v = \frac{v}{1-\beta_2^{t}}\ \text{(Adam, AdamW)}.

    Parameters
    ----------
    optimizer : normlib.optim.SGD / Adam / AdamW, or torch.optim.SGD / Adam / AdamW

    Returns
    -------
    dict
        Maps each parameter tensor (the same objects as in
        ``optimizer.param_groups``) to a new tensor of its shape, dtype and
        device. :math:`\gamma` is the group's *current* ``lr`` (the one the
        next step will use, after any scheduler update); :math:`v` and
        :math:`t` are the second moment (``max_exp_avg_sq`` with AMSGrad) and
        step count stored after the last step. For Adam, parameters that have
        not been stepped yet (no state) are left out. For SGD the value does
        not depend on state; it is the steady state of the momentum buffer
        (the first step, where the buffer is the raw gradient, uses
        :math:`\gamma`).

    See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
    (``book/principles/optimizers.ipynb``).
    """
    kind = _kind(optimizer)
    out = {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            if kind == "sgd":
                out[p] = _sgd_step_size(p, group)
            else:
                size = _adam_step_size(optimizer, p, group)
                if size is not None:
                    out[p] = size
    return out


def effective_shrinkage(optimizer):
    r"""Per-coordinate fraction :math:`S` of each weight removed by weight decay in one step.

    One step moves :math:`\theta` by :math:`-S \odot \theta` through the decay
    (plus the data-gradient part :math:`-P \odot \nabla f`), with

    .. math::

       S = P\,\lambda \quad\text{(coupled L2)},\qquad
       S = \gamma\,\lambda \quad\text{(decoupled)},

    :math:`P` from :func:`effective_step_size`. For Adam with L2 this is
    :math:`\gamma\lambda/(\sqrt{\hat v_i}+\epsilon)`, large where gradients have
    been small; for AdamW it is :math:`\gamma\lambda` for every weight. It is
    exact for the step that produced the stored state when there is no momentum
    (SGD with ``momentum=0``, Adam with ``beta1=0``, with :math:`\hat v` the
    value after that step) and for decoupled decay; with momentum it is the
    quasi-static (slowly varying gradient) rate.

    Parameters
    ----------
    optimizer : normlib.optim.SGD / Adam / AdamW, or torch.optim.SGD / Adam / AdamW

    Returns
    -------
    dict
        Maps each parameter to a tensor of its shape (dimensionless: a fraction
        per step), with the same conventions and omissions as
        :func:`effective_step_size`. Groups with ``weight_decay=0`` give zeros.

    Examples
    --------
    >>> import torch
    >>> from normlib.optim import AdamW, effective_shrinkage
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = torch.tensor([1.0, 1e-3]); opt.step()
    >>> effective_shrinkage(opt)[w]
    tensor([0.0500, 0.0500])

    See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
    (``book/principles/optimizers.ipynb``).
    """
    sizes = effective_step_size(optimizer)
    out = {}
    for group in optimizer.param_groups:
        wd, lr = group["weight_decay"], float(group["lr"])
        for p in group["params"]:
            if p not in sizes:
                continue
            if _is_decoupled(optimizer, group):
                out[p] = torch.full_like(sizes[p], lr * wd)
            else:
                out[p] = sizes[p] * wd
    return out
