r"""Stochastic gradient descent with momentum and coupled L2 or decoupled weight decay.

See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
(``book/principles/optimizers.ipynb``).
"""

from __future__ import annotations

import torch

from normlib._validation import check_scalar
from normlib.optim._base import NormlibOptimizer, check_flag, group_by_device_and_dtype

__all__ = ["SGD"]


class SGD(NormlibOptimizer):
    r"""SGD with (Nesterov) momentum, and weight decay either coupled (L2) or decoupled.

    With the coupled default it is the algorithm of ``torch.optim.SGD``; with
    ``decoupled_weight_decay=True`` it is SGDW (Loshchilov and Hutter, 2019)
    in PyTorch's conventions (decay multiplied by the current ``lr``).

    .. math::

       \begin{aligned}
       &\textbf{input: } \gamma \text{ (lr)},\ \lambda \text{ (weight decay)},
          \ \mu \text{ (momentum)},\ \tau \text{ (dampening)}\\
       &\textbf{for } t = 1, 2, \dots\\
       &\quad g_t \leftarrow \nabla f_t(\theta_{t-1})\\
       &\quad \textbf{if } \text{coupled: } g_t \leftarrow g_t + \lambda\,\theta_{t-1}
          \quad\textbf{else: } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}\\
       &\quad \textbf{if } \mu \ne 0:\quad
          b_t \leftarrow \begin{cases} g_t & t = 1\\
                                       \mu\, b_{t-1} + (1 - \tau)\, g_t & t > 1\end{cases}\\
       &\quad\qquad g_t \leftarrow \begin{cases} g_t + \mu\, b_t & \text{Nesterov}\\
                                                 b_t & \text{otherwise}\end{cases}\\
       &\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t
       \end{aligned}

    **Coupled or decoupled.** Without momentum the two are the same map,
    :math:`\theta - \gamma(g + \lambda\theta) = (1-\gamma\lambda)\theta - \gamma g`.
    With momentum they differ: the coupled term :math:`\lambda\theta` is
    accumulated by the buffer like the data gradient (both amplified by
    :math:`(1-\tau)/(1-\mu)` in steady state), the decoupled one is not. On a
    quadratic loss, coupled SGD with momentum converges to the ridge solution
    for :math:`\lambda`, decoupled SGD to the ridge solution for
    :math:`\lambda(1-\mu)/(1-\tau)`.

    Parameters
    ----------
    params : iterable of tensors or of dicts (parameter groups)
        As for any ``torch.optim.Optimizer``; a group may override every
        hyperparameter below.
    lr : float
        Learning rate :math:`\gamma \ge 0` (required, as schedulers scale it).
    momentum : float
        :math:`0 \le \mu < 1`.
    dampening : float
        :math:`0 \le \tau \le 1`, scales new gradients into the buffer after step 1.
    nesterov : bool
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float
        :math:`\lambda \ge 0`.
    decoupled_weight_decay : bool
        ``False``: add :math:`\lambda\theta` to the gradient (L2 penalty
        :math:`\tfrac{\lambda}{2}\|\theta\|^2`). ``True``: multiply
        :math:`\theta` by :math:`1 - \gamma\lambda` separately.
    foreach : bool
        Use the multi-tensor ``torch._foreach_*`` path (default) or the plain
        per-parameter loop (same arithmetic, easier to read).

    State per parameter: ``momentum_buffer`` (as in ``torch.optim.SGD``).
    Parameters whose ``grad`` is ``None`` are skipped; sparse gradients raise
    ``ValueError``.

    See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
    (``book/principles/optimizers.ipynb``).

    Examples
    --------
    >>> import torch
    >>> from normlib.optim import SGD
    >>> w = torch.nn.Parameter(torch.ones(3))
    >>> opt = SGD([w], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    >>> w.grad = torch.zeros(3)
    >>> opt.step()
    >>> w.detach()
    tensor([0.9500, 0.9500, 0.9500])
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0, decoupled_weight_decay=False, *, foreach=True):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                        weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, foreach=foreach)
        self._check_group(defaults, "")
        super().__init__(params, defaults)

    def _check_group(self, group, where):
        group["lr"] = check_scalar(group["lr"], f"lr{where}", low=0.0)
        group["momentum"] = check_scalar(group["momentum"], f"momentum{where}", low=0.0,
                                         high=1.0, high_open=True)
        group["dampening"] = check_scalar(group["dampening"], f"dampening{where}", low=0.0,
                                          high=1.0)
        group["weight_decay"] = check_scalar(group["weight_decay"], f"weight_decay{where}",
                                             low=0.0)
        for flag in ("nesterov", "decoupled_weight_decay", "foreach"):
            check_flag(group[flag], f"{flag}{where}")
        if group["nesterov"] and (group["momentum"] == 0 or group["dampening"] != 0):
            raise ValueError(
                f"nesterov=True{where} needs momentum > 0 and dampening == 0, got "
                f"momentum={group['momentum']} and dampening={group['dampening']}; "
                "set momentum (e.g. 0.9) and dampening=0, or nesterov=False."
            )

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("foreach", True)

    def _update_group(self, group, params):
        # foreach=None (as in groups loaded from torch.optim) means the default, True
        update = _sgd_foreach if group["foreach"] is not False else _sgd_single
        update(params, [self.state[p] for p in params], group)


def _sgd_single(params, states, group):
    """The update, one parameter at a time: the reference the foreach path must match."""
    lr, wd = group["lr"], group["weight_decay"]
    mu, tau = group["momentum"], group["dampening"]
    for p, state in zip(params, states, strict=True):
        g = p.grad
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * wd)
            else:
                g = g.add(p, alpha=wd)
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.detach().clone()
            else:
                buf.mul_(mu).add_(g, alpha=1 - tau)
            g = g.add(buf, alpha=mu) if group["nesterov"] else buf
        p.add_(g, alpha=-lr)


def _sgd_foreach(params, states, group):
    """The same update with one ``torch._foreach_*`` call per line and device/dtype.

    Never writes into ``p.grad``.
    """
    lr, wd = group["lr"], group["weight_decay"]
    mu, tau = group["momentum"], group["dampening"]
    for idx in group_by_device_and_dtype(params):
        ps = [params[i] for i in idx]
        sts = [states[i] for i in idx]
        grads = [p.grad for p in ps]
        if wd != 0:
            if group["decoupled_weight_decay"]:
                torch._foreach_mul_(ps, 1 - lr * wd)
            else:
                grads = torch._foreach_add(grads, ps, alpha=wd)
        if mu != 0:
            bufs = [st.get("momentum_buffer") for st in sts]
            old = [i for i, b in enumerate(bufs) if b is not None]
            if old:  # b <- mu b + (1 - tau) g
                torch._foreach_mul_([bufs[i] for i in old], mu)
                torch._foreach_add_([bufs[i] for i in old], [grads[i] for i in old],
                                    alpha=1 - tau)
            for i, b in enumerate(bufs):  # first step: b <- g
                if b is None:
                    bufs[i] = sts[i]["momentum_buffer"] = grads[i].detach().clone()
            grads = torch._foreach_add(grads, bufs, alpha=mu) if group["nesterov"] else bufs
        torch._foreach_add_(ps, grads, alpha=-lr)
