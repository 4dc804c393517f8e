r"""Adam with coupled L2 or decoupled weight decay (AdamW).

See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
(``book/principles/optimizers.ipynb``).
"""

from __future__ import annotations

import torch

from normlib._validation import check_scalar
from normlib.optim._base import (
    NormlibOptimizer,
    check_betas,
    check_flag,
    group_by_device_and_dtype,
)

__all__ = ["Adam"]


class Adam(NormlibOptimizer):
    r"""Adam, with weight decay either coupled (L2, ``torch.optim.Adam``) or decoupled (AdamW).

    .. math::

       \begin{aligned}
       &\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
          \ \epsilon,\ \lambda \text{ (weight decay)};\quad m_0 = v_0 = 0\\
       &\textbf{for } t = 1, 2, \dots\\
       &\quad g_t \leftarrow \nabla f_t(\theta_{t-1})\\
       &\quad \textbf{if } \text{coupled: } g_t \leftarrow g_t + \lambda\,\theta_{t-1}
          \quad\textbf{else: } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1}\\
       &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
       &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2\\
       &\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t),\qquad
              \hat v_t \leftarrow v_t / (1 - \beta_2^t)
              \quad (\text{AMSGrad: } \hat v_t \leftarrow
              \max_{s \le t} v_s / (1 - \beta_2^t))\\
       &\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
       \end{aligned}

    **Why decoupling matters for Adam.** With coupled decay the term
    :math:`\lambda\theta` goes through the same per-coordinate normalisation as
    the data gradient, so (with :math:`\hat m_t` close to the current gradient)
    weight :math:`i` shrinks by :math:`\gamma\lambda / (\sqrt{\hat v_{t,i}} + \epsilon)`
    per step: strongly where gradients have been small, weakly where they have
    been large; and where :math:`\lambda\theta_i` dominates the gradient the
    normalised step saturates near :math:`\gamma\,\mathrm{sign}(\theta_i)`.
    Decoupled decay shrinks every weight by the same factor
    :math:`1 - \gamma\lambda`. :meth:`effective_shrinkage` returns these
    per-coordinate rates.

    **Convention for** :math:`\lambda`. As in ``torch.optim.AdamW`` the decay is
    multiplied by the current learning rate :math:`\gamma_t`. Loshchilov and
    Hutter (2019) write :math:`\theta_t = \theta_{t-1} - \eta_t(\alpha\,\hat m_t /
    (\sqrt{\hat v_t}+\epsilon) + \lambda_{\text{paper}}\,\theta_{t-1})` with base
    step :math:`\alpha` and schedule multiplier :math:`\eta_t`, so with
    :math:`\gamma_t = \alpha\eta_t` the two agree when
    :math:`\lambda_{\text{paper}} = \alpha\,\lambda_{\text{torch}}` (for example
    ``lr=1e-3, weight_decay=1e-2`` here is :math:`\lambda_{\text{paper}} = 10^{-5}`).
    A consequence: changing ``lr`` alone also changes the decay per step.

    Parameters
    ----------
    params : iterable of tensors or of dicts (parameter groups)
        As for any ``torch.optim.Optimizer``; a group may override every
        hyperparameter below (e.g. ``weight_decay=0`` for biases and norms).
    lr : float
        :math:`\gamma \ge 0`.
    betas : (float, float)
        :math:`0 \le \beta_1, \beta_2 < 1`.
    eps : float
        :math:`\epsilon \ge 0`, added to :math:`\sqrt{\hat v_t}`.
    weight_decay : float
        :math:`\lambda \ge 0`.
    decoupled_weight_decay : bool
        ``False`` (L2, coupled) or ``True`` (AdamW, decoupled).
    amsgrad : bool
        Normalise by the running maximum of :math:`v_t` (Reddi et al., 2018).
    foreach : bool
        Use the multi-tensor ``torch._foreach_*`` path (default) or the plain
        per-parameter loop (same algorithm, easier to read).

    State per parameter (as in ``torch.optim.Adam``, so checkpoints look the
    same): ``step`` (a float64 scalar tensor), ``exp_avg`` (:math:`m`),
    ``exp_avg_sq`` (:math:`v`) and, with AMSGrad, ``max_exp_avg_sq``.
    Parameters whose ``grad`` is ``None`` are skipped; sparse gradients raise
    ``ValueError``.

    See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
    (``book/principles/optimizers.ipynb``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, amsgrad=False, *, foreach=True):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, amsgrad=amsgrad,
                        foreach=foreach)
        self._check_group(defaults, "")
        super().__init__(params, defaults)

    def _check_group(self, group, where):
        group["lr"] = check_scalar(group["lr"], f"lr{where}", low=0.0)
        group["betas"] = check_betas(group["betas"], where)
        group["eps"] = check_scalar(group["eps"], f"eps{where}", low=0.0)
        group["weight_decay"] = check_scalar(group["weight_decay"], f"weight_decay{where}",
                                             low=0.0)
        for flag in ("decoupled_weight_decay", "amsgrad", "foreach"):
            check_flag(group[flag], f"{flag}{where}")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("foreach", True)

    def _state_for(self, p, amsgrad):
        """The state of ``p``, created on its first step."""
        state = self.state[p]
        if not state:
            state["step"] = torch.tensor(0.0, dtype=torch.float64)
            state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        if amsgrad and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
        return state

    def _update_group(self, group, params):
        states = [self._state_for(p, group["amsgrad"]) for p in params]
        if group["foreach"] is not False:  # None (torch.optim's groups) means True
            _adam_foreach(params, states, group, [self._scratch(p) for p in params])
        else:
            _adam_single(params, states, group)


def _adam_single(params, states, group):
    """The update, one parameter at a time: the reference the foreach path must match."""
    lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
    beta1, beta2 = group["betas"]
    for p, state in zip(params, states, strict=True):
        g = p.grad
        state["step"] += 1
        t = state["step"].item()
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * wd)
            else:
                g = g.add(p, alpha=wd)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.lerp_(g, 1 - beta1)                                 # m <- b1 m + (1 - b1) g
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)         # v <- b2 v + (1 - b2) g^2
        if group["amsgrad"]:
            torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t
        denom = (v.sqrt() / bias2**0.5).add_(eps)            # sqrt(v_hat) + eps
        p.addcdiv_(m, denom, value=-lr / bias1)               # p <- p - lr m_hat / denom


def _adam_foreach(params, states, group, scratch):
    """The same update with ``torch._foreach_*`` calls, per device and dtype.

    Same arithmetic, operation for operation, as the single-tensor path (and as
    ``torch.optim.Adam``), so the results agree bit for bit. The one change is
    where intermediates live: the coupled gradient ``g + lam p`` and then the
    denominator ``sqrt(v_hat) + eps`` are written into a persistent scratch
    buffer instead of freshly allocated tensors, which on a CPU roughly halves
    the time of a step (the step is memory-bound, and new pages are costly).
    ``p.grad`` is never modified.
    """
    lr, wd, eps = group["lr"], group["weight_decay"], group["eps"]
    beta1, beta2 = group["betas"]
    for idx in group_by_device_and_dtype(params):
        ps = [params[i] for i in idx]
        grads = [p.grad for p in ps]
        ms = [states[i]["exp_avg"] for i in idx]
        vs = [states[i]["exp_avg_sq"] for i in idx]
        bufs = [scratch[i] for i in idx]
        steps = [states[i]["step"] for i in idx]
        torch._foreach_add_(steps, 1.0)
        if wd != 0:
            if group["decoupled_weight_decay"]:
                torch._foreach_mul_(ps, 1 - lr * wd)
            else:
                for buf, g, p in zip(bufs, grads, ps, strict=True):
                    torch.add(g, p, alpha=wd, out=buf)       # g + lam p, into scratch
                grads = bufs
        torch._foreach_lerp_(ms, grads, 1 - beta1)
        torch._foreach_mul_(vs, beta2)
        torch._foreach_addcmul_(vs, grads, grads, 1 - beta2)
        if group["amsgrad"]:
            vs = [states[i]["max_exp_avg_sq"] for i in idx]
            torch._foreach_maximum_(vs, [states[i]["exp_avg_sq"] for i in idx])
        for buf, v in zip(bufs, vs, strict=True):
            torch.sqrt(v, out=buf)                           # grads no longer needed
        ts = [s.item() for s in steps]
        torch._foreach_div_(bufs, [(1 - beta2**t) ** 0.5 for t in ts])
        torch._foreach_add_(bufs, eps)                       # sqrt(v_hat) + eps
        torch._foreach_addcdiv_(ps, ms, bufs, [-lr / (1 - beta1**t) for t in ts])
