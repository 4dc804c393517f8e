r"""AdamW: Adam with decoupled weight decay.

See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
(``book/principles/optimizers.ipynb``).
"""

from __future__ import annotations

from normlib.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Adam with decoupled weight decay, the algorithm of ``torch.optim.AdamW``.

    Each step first shrinks every weight by the same factor, then takes the Adam
    step on the data gradient alone:

    .. math::

       \theta_{t-1} \leftarrow (1 - \gamma\lambda)\,\theta_{t-1},\qquad
       \theta_t \leftarrow \theta_{t-1} - \gamma\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`m_t, v_t` the moments of :math:`\nabla f_t` only (see
    :class:`~normlib.optim.Adam` for the full algorithm and for the convention
    :math:`\lambda_{\text{paper}} = \gamma\,\lambda_{\text{torch}}`). It is
    ``Adam(..., decoupled_weight_decay=True)`` with the default
    ``weight_decay=1e-2`` of ``torch.optim.AdamW``; parameter groups that
    override ``decoupled_weight_decay`` are rejected.

    See the book, section 1.8 *Optimizers: coupled L2 vs decoupled decay*
    (``book/principles/optimizers.ipynb``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, foreach=True):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         decoupled_weight_decay=True, amsgrad=amsgrad, foreach=foreach)

    def _check_group(self, group, where):
        super()._check_group(group, where)
        if group["decoupled_weight_decay"] is not True:
            raise ValueError(
                f"AdamW always decouples weight decay, got decoupled_weight_decay=False{where}; "
                "use normlib.optim.Adam for coupled (L2) decay."
            )

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
