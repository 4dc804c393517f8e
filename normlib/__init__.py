"""normlib: the companion library of the course on parameter norm penalties.

One module per concept, each lining up with a section of the book:

=================  ==========================================================
``penalties``      values of the L2, L1, elastic-net, group and spectral norms
``prox``           proximal operators and projections onto norm balls
``solvers``        ridge, lasso, elastic net and group lasso (FISTA) and paths
``estimators``     scikit-learn estimators (``GroupLasso``)
``constrained``    constraint vs penalty: projected gradient, shadow prices
``optim``          SGD / Adam with coupled L2 or decoupled weight decay
``lipschitz``      power iteration, Lipschitz bounds, certified radius
``implicit_bias``  gradient descent on separable data vs max margin
``rescaling``      ReLU rescaling invariance and the path norm
``capacity``       weight-decay sweeps (train / validation curves)
``data``           seeded synthetic data and bundled datasets
``plotting``       the book's figure helpers
=================  ==========================================================

Submodules are imported on first use (``normlib.prox`` works after
``import normlib``) so that ``import normlib`` stays fast.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "penalties", "prox", "solvers", "estimators", "constrained", "optim",
    "lipschitz", "implicit_bias", "rescaling", "capacity", "data", "plotting", "progress",
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'normlib' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
