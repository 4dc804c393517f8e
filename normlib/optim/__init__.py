r"""Optimizers with coupled L2 or decoupled weight decay, as ``torch.optim.Optimizer`` subclasses.

===========================  ============================================================
:class:`SGD`                 SGD with (Nesterov) momentum; ``decoupled_weight_decay=True``
                             gives SGDW
:class:`Adam`                Adam (and AMSGrad); ``decoupled_weight_decay=True`` gives AdamW
:class:`AdamW`               Adam with decoupled decay, ``weight_decay=1e-2`` by default
:func:`effective_step_size`  per-coordinate step size :math:`P` on the gradient
:func:`effective_shrinkage`  per-coordinate fraction :math:`S` of each weight removed
                             by weight decay per step
===========================  ============================================================

Coupled decay adds :math:`\lambda\theta` to the gradient before the moment
updates (the gradient of the penalty :math:`\tfrac{\lambda}{2}\|\theta\|^2`);
decoupled decay multiplies :math:`\theta` by :math:`1 - \gamma\lambda` separately,
with :math:`\gamma` the current learning rate (PyTorch's convention). Each
optimizer has a multi-tensor ``torch._foreach_*`` path (``foreach=True``, the
default) and a plain per-parameter path beside it, works with parameter groups
and ``torch.optim.lr_scheduler``, and round-trips ``state_dict()``.

See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
(``book/principles/optimizers.ipynb``).
"""

from normlib.optim.adam import Adam
from normlib.optim.adamw import AdamW
from normlib.optim.sgd import SGD
from normlib.optim.shrinkage import effective_shrinkage, effective_step_size

__all__ = ["SGD", "Adam", "AdamW", "effective_shrinkage", "effective_step_size"]
