"""What :class:`~normlib.optim.SGD` and :class:`~normlib.optim.Adam` share.

* hyperparameter checks, run on the defaults *and* on every parameter group
  (a group may override ``lr`` or ``weight_decay``, and a bad override must
  fail as loudly as a bad default);
* collecting the parameters that have a gradient, with a clear error for sparse
  gradients;
* grouping tensors by device and dtype for the ``torch._foreach_*`` fast path;
* the two read-outs :meth:`effective_step_size` and :meth:`effective_shrinkage`.
"""

from __future__ import annotations

from collections import defaultdict

import torch

from normlib._validation import check_scalar


def check_flag(value, name):
    """Return ``value`` if it is a real ``bool``; raise ``TypeError`` otherwise."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return value


def check_betas(betas, where=""):
    r"""Return ``betas`` as a pair of floats with :math:`0 \le \beta < 1`.

    ``where`` is appended to the names in messages (e.g. ``" in param group 1"``).
    """
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas{where} must be a pair (beta1, beta2), got {betas!r}.")
    return tuple(
        check_scalar(b, f"betas[{i}]{where}", low=0.0, high=1.0, high_open=True)
        for i, b in enumerate(betas)
    )


def group_by_device_and_dtype(params):
    """Indices of ``params`` grouped by ``(device, dtype)``.

    ``torch._foreach_*`` ops need all tensors of one call on the same device with
    the same dtype; a model with, say, float32 weights and a float64 buffer is
    stepped in two calls.
    """
    groups = defaultdict(list)
    for i, p in enumerate(params):
        groups[(p.device, p.dtype)].append(i)
    return list(groups.values())


class NormlibOptimizer(torch.optim.Optimizer):
    """Base class: validated parameter groups and the shrinkage read-outs."""

    def _check_group(self, group, where):
        """Validate (and normalise) the hyperparameters of one group in place.

        ``where`` is ``""`` for the constructor's arguments and
        ``" in param group k"`` for a group's overrides, so the message names
        the argument and where it came from.
        """
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a parameter group (see ``torch.optim.Optimizer.add_param_group``), validated."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        try:
            self._check_group(group, f" in param group {len(self.param_groups) - 1}")
            for p in group["params"]:
                if p.is_complex() or not p.is_floating_point():
                    raise TypeError(
                        f"{type(self).__name__} optimizes real floating-point parameters; "
                        f"got a {p.dtype} parameter of shape {tuple(p.shape)}."
                    )
        except (TypeError, ValueError):
            self.param_groups.pop()
            raise

    @torch.no_grad()
    def step(self, closure=None):
        """Take one step for every parameter group; return ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = self._params_with_grad(group)
            if params:
                self._update_group(group, params)
        return loss

    def _update_group(self, group, params):
        """Update ``params`` (those of ``group`` with a gradient) in place."""
        raise NotImplementedError

    def _params_with_grad(self, group):
        """The parameters of ``group`` that have a gradient (``grad is None`` is skipped)."""
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if p.grad.is_sparse:
                raise ValueError(
                    f"{type(self).__name__} got a sparse gradient for a parameter of shape "
                    f"{tuple(p.shape)}; it supports dense gradients only. Use "
                    "nn.Embedding(..., sparse=False) or torch.optim.SparseAdam."
                )
        return params

    def _scratch(self, p):
        """A persistent buffer shaped like ``p`` (not part of the optimizer's state).

        Allocating a fresh parameter-sized tensor every step (as
        ``torch.optim.AdamW`` does for ``sqrt(v)``) costs about as much as the
        arithmetic itself on a CPU, because the new pages must be faulted in;
        keeping one buffer per parameter makes the foreach step about twice as
        fast. The price is one parameter-sized buffer held between steps (the
        peak memory of a step is unchanged: PyTorch allocates the same amount
        transiently). It holds no information between steps and is not saved by
        :meth:`state_dict` or pickled (``Optimizer.__getstate__`` keeps only
        ``defaults``, ``state`` and ``param_groups``).
        """
        buffers = self.__dict__.setdefault("_scratch_buffers", {})
        buf = buffers.get(p)
        if buf is None or buf.shape != p.shape or buf.dtype != p.dtype:
            buf = buffers[p] = torch.empty_like(p, memory_format=torch.preserve_format)
        return buf

    def effective_step_size(self):
        """Per-coordinate step size; see :func:`normlib.optim.effective_step_size`."""
        from normlib.optim.shrinkage import effective_step_size

        return effective_step_size(self)

    def effective_shrinkage(self):
        """Per-coordinate shrinkage per step; see :func:`normlib.optim.effective_shrinkage`."""
        from normlib.optim.shrinkage import effective_shrinkage

        return effective_shrinkage(self)
